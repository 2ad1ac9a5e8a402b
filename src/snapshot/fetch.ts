/**
 * Restore one tag: a shallow, smudge-free clone (no LFS content goes through git), then the LFS
 * objects with git-lfs, then the working-tree files materialized from the local object store.
 */
import { copyFile, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { git, gitOk, ToolError } from '../adapters/git.js';
import { describeFailure, type ProcessRunner } from '../adapters/run.js';
import { remoteHint } from './trust.js';

export interface FetchHooks {
  readonly runner?: ProcessRunner;
  /** For git: the drill's tool environment and the credential helper (never argv). */
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onLine?: (line: string) => void;
  /** Bytes of LFS objects that have arrived so far. */
  readonly onBytes?: (bytes: number) => void;
}

/** Tag names come from outside the plan: they go into argv only, and never as an option. */
export function assertSafeRef(ref: string): void {
  if (ref.startsWith('-') || /[\s\0~^:?*[\\]/.test(ref) || ref.includes('..')) throw new Error(`refusing the ref name ${JSON.stringify(ref)}`);
}

export async function shallowClone(url: string, tag: string, dir: string, hooks: FetchHooks = {}): Promise<string> {
  assertSafeRef(tag);
  // A tag checks out as a detached HEAD, which is the point: git's advice about it is noise in the step's output.
  // git-lfs's filter is off for the clone (the node's global `git lfs install` turns it on): the LFS objects
  // are restored by the drill itself, and a filter that only skips its smudge still started git-lfs, which
  // ran eight git commands and installed hooks whose post-checkout ran git-lfs and five more (18 of a demo
  // drill's 39 git processes). The workspace a setup keeps gets git-lfs set up afterwards (kept-workspace.ts).
  const noLfsFilter = ['-c', 'filter.lfs.process=', '-c', 'filter.lfs.smudge=', '-c', 'filter.lfs.required=false'];
  const result = await git(['-c', 'advice.detachedHead=false', ...noLfsFilter, 'clone', '--progress', '--depth', '1', '--no-tags', '--branch', tag, '--', url, dir], {
    runner: hooks.runner,
    signal: hooks.signal,
    env: { ...hooks.env, GIT_LFS_SKIP_SMUDGE: '1' },
    onLine: (_stream, line) => hooks.onLine?.(line),
  });
  if (result.exitCode !== 0) {
    const notFound = /Remote branch .* not found/.test(result.stderr);
    throw new ToolError(describeFailure(result), result, notFound ? `the tag ${tag} does not exist in the repository` : remoteHint()(result));
  }
  return (await gitOk(['-C', dir, 'rev-parse', 'HEAD'], { runner: hooks.runner })).trim();
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await stat(path.join(entry.parentPath, entry.name)).catch(() => undefined);
    total += info?.size ?? 0;
  }
  return total;
}

export interface LfsFetchResult {
  /** oid → the sha256 git-lfs computed for the bytes it refused. */
  readonly rejected: Map<string, string>;
  /** Objects the remote does not have. */
  readonly missing: string[];
  readonly exitCode: number | undefined;
  readonly command: string;
  readonly stderrTail: string;
}

const REJECTED_RE = /invalid hash ([0-9a-f]{64}), expected ([0-9a-f]{64})/g;
const MISSING_RE = /(?:missing object|Object does not exist)[^0-9a-f]*([0-9a-f]{64})/gi;

export function parseLfsFetchErrors(stderr: string): { rejected: Map<string, string>; missing: string[] } {
  const rejected = new Map<string, string>();
  for (const match of stderr.matchAll(REJECTED_RE)) rejected.set(match[2]!, match[1]!);
  const missing = [...stderr.matchAll(MISSING_RE)].map((m) => m[1]!);
  return { rejected, missing: [...new Set(missing)] };
}

/**
 * `git lfs fetch` for the tag. Over file:// git-lfs reports no byte counts, so progress is measured
 * from what arrives in .git/lfs. Its exit code is not trusted on its own: the caller verifies every byte.
 */
export async function fetchLfsObjects(dir: string, tag: string, hooks: FetchHooks = {}): Promise<LfsFetchResult> {
  assertSafeRef(tag);
  const lfsDir = path.join(dir, '.git', 'lfs');
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => hooks.onBytes?.(await directoryBytes(lfsDir)));
  }, 200);
  try {
    const result = await git(['-C', dir, 'lfs', 'fetch', 'origin', tag], {
      runner: hooks.runner,
      ...(hooks.env ? { env: hooks.env } : {}),
      signal: hooks.signal,
      onLine: (_stream, line) => hooks.onLine?.(line),
    });
    const { rejected, missing } = parseLfsFetchErrors(result.stderr);
    return {
      rejected,
      missing,
      exitCode: result.exitCode,
      command: result.command,
      stderrTail: result.stderr.trim().split('\n').slice(-3).join(' | '),
    };
  } finally {
    clearInterval(timer);
    await sampling;
    hooks.onBytes?.(await directoryBytes(path.join(lfsDir, 'objects')));
  }
}

/** Write the working-tree files from the local LFS store (objects that did not arrive stay pointers). */
export async function checkoutLfsFiles(dir: string, hooks: FetchHooks = {}): Promise<void> {
  await gitOk(['-C', dir, 'lfs', 'checkout'], { runner: hooks.runner, ...(hooks.env ? { env: hooks.env } : {}), signal: hooks.signal, onLine: (_s, line) => hooks.onLine?.(line) });
}

/**
 * Over file:// on one filesystem git-lfs hard-links the fetched objects to the backup's own. A
 * workspace that stays (setup, --keep) gets copies of its own, so nothing done to it can reach the
 * backup. Returns how many objects were unshared.
 */
export async function unshareLfsObjects(dir: string): Promise<number> {
  const objects = path.join(dir, '.git', 'lfs', 'objects');
  const entries = await readdir(objects, { withFileTypes: true, recursive: true }).catch(() => []);
  let unshared = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await stat(file)).nlink < 2) continue;
    const copy = `${file}.unshare-${process.pid}`;
    await copyFile(file, copy);
    await rename(copy, file);
    unshared += 1;
  }
  return unshared;
}
