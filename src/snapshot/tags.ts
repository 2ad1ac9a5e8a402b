/**
 * List the snapshot tags of a backup repository without downloading any LFS object: a small bare
 * metadata repository (cached per repo URL) fetches the tags at depth 1; LFS sizes come from the pointers.
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { git, gitOk, repoUrl } from '../adapters/git.js';
import type { ProcessRunner } from '../adapters/run.js';
import type { SnapshotTag } from '../model/record.js';

import { readLfsPointersOfMany, type LfsPointer } from './pointers.js';
import { remoteHint } from './trust.js';
import { gitCredentialEnv, type Remote } from './remote.js';

export interface TagListing extends SnapshotTag {
  readonly pointers: readonly LfsPointer[];
}

export function metadataRepoPath(cacheRoot: string, repo: string): string {
  const key = createHash('sha256').update(repoUrl(repo)).digest('hex').slice(0, 16);
  return path.join(cacheRoot, 'tags', `${key}.git`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** Fetch the tags matching `pattern` (a glob such as "v*") into the metadata repository. */
export interface GitHooks {
  readonly signal?: AbortSignal;
  readonly runner?: ProcessRunner;
  /** The drill's environment for tools (tests put stand-ins on PATH, HOME for ssh). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function fetchTagMetadata(metaDir: string, remote: Remote, pattern: string, hooks: GitHooks = {}): Promise<void> {
  const { runner, signal } = hooks;
  if (!(await exists(path.join(metaDir, 'HEAD')))) {
    await mkdir(metaDir, { recursive: true });
    await gitOk(['init', '--quiet', '--bare', metaDir], { runner });
  }
  await gitOk(
    ['--git-dir', metaDir, 'fetch', '--quiet', '--depth', '1', '--force', '--prune', '--no-tags', remote.url, `+refs/tags/${pattern}:refs/tags/${pattern}`],
    { runner, signal, env: { ...hooks.env, ...gitCredentialEnv(remote, { ...process.env, ...hooks.env }), GIT_LFS_SKIP_SMUDGE: '1' } },
    remoteHint(`check that ${remote.display} is reachable and holds tags matching "${pattern}"`),
  );
}

const SEP = '\x1f';
const RECORD = '\x1e';
const FORMAT = ['%(refname:strip=2)', '%(objecttype)', '%(objectname)', '%(*objectname)', '%(creatordate:iso-strict)', '%(contents:subject)', '%(contents:signature)']
  .join('%1f') + '%1e';

interface RawTag {
  name: string;
  commit: string;
  date: string;
  message: string;
  signed: boolean;
}

function parseForEachRef(output: string): RawTag[] {
  const tags: RawTag[] = [];
  for (const record of output.split(RECORD)) {
    const fields = record.replace(/^\n/, '').split(SEP);
    if (fields.length < 7) continue;
    const [name, type, object, peeled, date, subject, signature] = fields as [string, string, string, string, string, string, string];
    tags.push({ name, commit: type === 'tag' ? peeled : object, date, message: subject, signed: signature.trim().length > 0 });
  }
  return tags;
}

async function signatureOf(metaDir: string, tag: RawTag, allowedSigners?: string, runner?: ProcessRunner): Promise<Pick<SnapshotTag, 'signature' | 'signatureDetail'>> {
  if (!tag.signed) return { signature: 'unsigned' };
  if (!allowedSigners) return { signature: 'unchecked', signatureDetail: 'signed, but the plan names no allowedSigners file' };
  const result = await git(['--git-dir', metaDir, '-c', `gpg.ssh.allowedSignersFile=${allowedSigners}`, 'verify-tag', '--', tag.name], { runner });
  const lines = result.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  if (result.exitCode === 0) return { signature: 'verified', signatureDetail: lines[0] ?? '' };
  // With an unknown key ssh prints 'Good "git" signature with … key' first, then why it failed ("No principal matched.").
  const reasons = lines.filter((line) => !/^Good "git" signature/.test(line));
  return { signature: 'bad', signatureDetail: reasons.join(' ') || lines.join(' ') || `\`${result.command}\` exited with ${result.exitCode ?? 'a signal'}` };
}

/** Tags matching the pattern, newest first, with LFS totals and signature state. */
/** Signatures checked while listing; the rest are checked when one of them is chosen. */
const SIGNATURES_LISTED = 10;
const DEFERRED = 'signed; its signature is checked if it is chosen';

/** Tags matching the pattern, newest first, with LFS totals and signature state. */
export async function listSnapshotTags(metaDir: string, pattern: string, allowedSigners?: string, runner?: ProcessRunner): Promise<TagListing[]> {
  const output = await gitOk(['--git-dir', metaDir, 'for-each-ref', '--sort=-creatordate', `--format=${FORMAT}`, `refs/tags/${pattern}`], { runner });
  const raw = parseForEachRef(output);
  const pointersOf = await readLfsPointersOfMany(metaDir, raw.map((tag) => tag.commit), runner);
  const signedEarly = new Set(raw.filter((tag) => tag.signed).slice(0, SIGNATURES_LISTED).map((tag) => tag.name));
  return Promise.all(
    raw.map(async (tag): Promise<TagListing> => {
      const pointers = pointersOf.get(tag.commit) ?? [];
      const signature = tag.signed && allowedSigners && !signedEarly.has(tag.name) ? { signature: 'unchecked' as const, signatureDetail: DEFERRED } : await signatureOf(metaDir, tag, allowedSigners, runner);
      return {
        name: tag.name,
        commit: tag.commit,
        date: tag.date,
        message: tag.message,
        lfsFiles: pointers.length,
        lfsBytes: pointers.reduce((sum, p) => sum + p.size, 0),
        pointers,
        ...signature,
      };
    }),
  );
}

/** A tag listed with its signature left for later gets it checked now (it was chosen). */
export async function withSignatureChecked(metaDir: string, tag: TagListing, allowedSigners?: string, runner?: ProcessRunner): Promise<TagListing> {
  if (tag.signatureDetail !== DEFERRED) return tag;
  const { signatureDetail: _deferred, ...rest } = tag;
  return { ...rest, ...(await signatureOf(metaDir, { name: tag.name, commit: tag.commit, date: tag.date, message: tag.message, signed: true }, allowedSigners, runner)) };
}
