/**
 * The clone a snapshot is made in: one per backup repository, beside the tag-metadata repository of
 * the drills (and under its lock), kept between snapshots so that only what changed is fetched and
 * an unchanged model is never copied again. It holds the branch's head and the newest tag at depth 1
 * (LFS objects are not downloaded: the tree has pointers); the remote is named `backup`, its URL
 * without credentials (they reach git through the environment, ../snapshot/remote.ts).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git, gitOk } from '../adapters/git.js';
import type { ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import { gitCredentialEnv, type Remote } from '../snapshot/remote.js';
import { sshEnv } from '../snapshot/ssh.js';
import { remoteHint } from '../snapshot/trust.js';

export const REMOTE_NAME = 'backup';

/**
 * The clone's own settings. The snapshot writes LFS pointers itself (./lfs-files.ts) and pushes the
 * objects itself (`git lfs push`), so git-lfs's filters and hooks have nothing to do here: they are
 * turned off — whatever the node's global git configuration says — and the pointers are committed
 * as written, the same blobs git-lfs's clean filter would make of them. No automatic gc either: the
 * clone is a cache, kept small by its depth.
 */
const CLONE_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['filter.lfs.process', ''],
  ['filter.lfs.clean', ''],
  ['filter.lfs.smudge', ''],
  ['filter.lfs.required', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
];

export interface GitHooks {
  readonly runner?: ProcessRunner;
  readonly signal?: AbortSignal;
  /** The environment for the tools (tests put stand-ins on PATH). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface WorkClone {
  readonly dir: string;
  readonly remote: Remote;
  readonly branch: string;
  /** The branch's head on the remote; absent for a backup that has no such branch yet. */
  readonly head?: string;
  /** The environment every git call in the clone runs with: credentials, ssh, no LFS download. */
  readonly env: Readonly<Record<string, string>>;
  readonly runner?: ProcessRunner;
  readonly signal?: AbortSignal;
}

export function workClonePath(metaDir: string): string {
  return metaDir.replace(/\.git$/, '.work');
}

/** git in the clone, failing with the command and git's words. */
export function inClone(clone: WorkClone, args: readonly string[], hint?: string): Promise<string> {
  return gitOk(['-C', clone.dir, ...args], { env: clone.env, runner: clone.runner, signal: clone.signal }, hint ?? remoteHint(`check that ${clone.remote.display} is reachable and writable`));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** The branch's head as the remote has it now (undefined: no such branch yet). */
export async function fetchBranch(clone: Omit<WorkClone, 'head'>): Promise<string | undefined> {
  const result = await git(['-C', clone.dir, 'fetch', '--quiet', '--depth', '1', '--no-tags', REMOTE_NAME, `+refs/heads/${clone.branch}:refs/remotes/${REMOTE_NAME}/${clone.branch}`], {
    env: clone.env,
    runner: clone.runner,
    signal: clone.signal,
  });
  if (result.exitCode === 0) return (await inClone(clone as WorkClone, ['rev-parse', `refs/remotes/${REMOTE_NAME}/${clone.branch}`])).trim();
  if (/couldn't find remote ref|could not find remote ref/i.test(result.stderr)) return undefined;
  throw new DrillError(`fetching ${clone.branch} of ${clone.remote.display} failed: ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`, {
    hint: remoteHint(`check that ${clone.remote.display} is reachable`)(result),
  });
}

/** Fetch one tag (depth 1), so its tree can be compared with what is staged. */
export async function fetchTag(clone: WorkClone, tag: string): Promise<void> {
  await inClone(clone, ['fetch', '--quiet', '--depth', '1', '--no-tags', REMOTE_NAME, `+refs/tags/${tag}:refs/tags/${tag}`]);
}

/** Who commits and tags when git has no one configured on this node. */
async function identity(dir: string, runner?: ProcessRunner): Promise<Record<string, string>> {
  const name = (await git(['-C', dir, 'config', 'user.name'], { runner })).stdout.trim();
  const email = (await git(['-C', dir, 'config', 'user.email'], { runner })).stdout.trim();
  const host = os.hostname();
  return {
    ...(name ? {} : { GIT_AUTHOR_NAME: `whisper-drill on ${host}`, GIT_COMMITTER_NAME: `whisper-drill on ${host}` }),
    ...(email ? {} : { GIT_AUTHOR_EMAIL: `whisper-drill@${host}`, GIT_COMMITTER_EMAIL: `whisper-drill@${host}` }),
  };
}

/**
 * The clone, fetched, with its work tree emptied of everything but .git: the snapshot writes the
 * whole tree anew, so a file the service folder no longer has is removed from the backup.
 */
export async function openWorkClone(dir: string, remote: Remote, branch: string, hooks: GitHooks = {}): Promise<WorkClone> {
  const env: Record<string, string> = { ...hooks.env, ...gitCredentialEnv(remote, { ...process.env, ...hooks.env }), ...sshEnv(remote, { ...process.env, ...hooks.env }), GIT_LFS_SKIP_SMUDGE: '1' };
  const base = { dir, remote, branch, env, ...(hooks.runner ? { runner: hooks.runner } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) };
  if (!(await exists(path.join(dir, '.git', 'HEAD')))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await gitOk(['init', '--quiet', '-b', branch, dir], { runner: hooks.runner });
    await gitOk(['-C', dir, 'remote', 'add', REMOTE_NAME, remote.url], { runner: hooks.runner });
    for (const [key, value] of CLONE_CONFIG) await gitOk(['-C', dir, 'config', key, value], { runner: hooks.runner });
  } else {
    await gitOk(['-C', dir, 'remote', 'set-url', REMOTE_NAME, remote.url], { runner: hooks.runner });
  }
  Object.assign(env, await identity(dir, hooks.runner));
  const head = await fetchBranch(base);
  if (head) await inClone(base as WorkClone, ['checkout', '--quiet', '--force', '-B', branch, head]);
  else {
    // A backup without the branch yet: the first snapshot starts it.
    await inClone(base as WorkClone, ['checkout', '--quiet', '--orphan', `snapshot-${process.pid}`]).catch(() => undefined);
    await git(['-C', dir, 'rm', '-r', '-q', '--cached', '--ignore-unmatch', '.'], { runner: hooks.runner });
  }
  for (const entry of await readdir(dir)) if (entry !== '.git') await rm(path.join(dir, entry), { recursive: true, force: true });
  return { ...base, ...(head ? { head } : {}) };
}
