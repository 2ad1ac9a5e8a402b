/**
 * --resume: the clone a killed drill left in its workspace. Kept only when its HEAD is the tag's commit;
 * its files that are not LFS files are written again from git's objects (a killed checkout may have left
 * them half-written), and a stale index lock (the killed git's) is removed. Otherwise the workspace is
 * cleared and cloned anew.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { emptyDir } from '../adapters/empty-dir.js';
import path from 'node:path';
import { git, gitOk } from '../adapters/git.js';
import type { FetchHooks } from './fetch.js';

export interface KeptClone {
  readonly kept: boolean;
  /** What was found and done, for the step's log. */
  readonly said: string;
}

const CHUNK = 200;

export async function keptClone(dir: string, commit: string, lfsPaths: ReadonlySet<string>, hooks: FetchHooks = {}): Promise<KeptClone> {
  const runner = { ...(hooks.runner ? { runner: hooks.runner } : {}), ...(hooks.env ? { env: hooks.env } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) };
  const head = existsSync(path.join(dir, '.git')) ? await git(['-C', dir, 'rev-parse', '--verify', '-q', 'HEAD^{commit}'], runner) : undefined;
  // Stopped while it looked: nothing is cleared on an interrupted answer.
  if (hooks.signal?.aborted) throw hooks.signal.reason;
  const at = head?.exitCode === 0 ? head.stdout.trim() : undefined;
  if (at !== commit) {
    await emptyDir(dir);
    const why = head === undefined ? 'no clone was left' : at === undefined ? 'the clone it left has no commit checked out (killed while cloning)' : `the clone it left is at ${at.slice(0, 12)}, not the tag's ${commit.slice(0, 12)}`;
    return { kept: false, said: `${why}: the workspace was cleared and is cloned anew` };
  }
  const lock = path.join(dir, '.git', 'index.lock');
  const hadLock = existsSync(lock);
  await rm(lock, { force: true });
  // The index as the commit has it: a clone killed mid-checkout has HEAD but not (all of) its index.
  await gitOk(['-C', dir, 'read-tree', 'HEAD'], runner);
  const files = (await gitOk(['-C', dir, 'ls-files', '-z'], runner)).split('\0').filter((file) => file && !lfsPaths.has(file));
  for (let i = 0; i < files.length; i += CHUNK) await gitOk(['-C', dir, 'checkout-index', '-f', '--', ...files.slice(i, i + CHUNK)], runner);
  // What the killed run made beside the clone (a half-built venv, its service's log) is not the backup's:
  // gone, so that install and start are redone from the restored tree alone. Partial downloads stay.
  await gitOk(['-C', dir, 'clean', '-ffdxq', '-e', '*.whisper-drill-part'], runner);
  return { kept: true, said: `kept the clone at ${commit.slice(0, 12)}${hadLock ? ' (its stale index.lock removed)' : ''}; its ${files.length} other file(s) written again from git's objects, anything else the killed run had made there removed` };
}
