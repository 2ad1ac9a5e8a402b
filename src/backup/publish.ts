/**
 * The staged tree committed on the backup's branch, on top of the remote's head, and pushed: the LFS
 * objects first (`git lfs push`, its byte progress read from GIT_LFS_PROGRESS), then the commit
 * (`git push --no-verify`: the objects are already up, the hook would only ask again). A remote
 * whose branch moved meanwhile is fetched and the same tree committed on its new head, once; a
 * second move fails, naming it. The tag is not made here: the push is proven first (./prove.ts).
 */
import path from 'node:path';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { followLog } from '../adapters/log-follow.js';
import { git } from '../adapters/git.js';
import { DrillError } from '../model/errors.js';
import { remoteHint } from '../snapshot/trust.js';
import { fetchBranch, inClone, REMOTE_NAME, type WorkClone } from './work-clone.js';

export interface PushProgress {
  readonly bytes: number;
  readonly total: number;
  readonly file?: string;
}

export async function commitTree(clone: WorkClone, tree: string, parent: string | undefined, message: string): Promise<string> {
  const args = ['-C', clone.dir, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message];
  const result = await git(args, { env: clone.env, runner: clone.runner, signal: clone.signal });
  if (result.exitCode !== 0) throw new DrillError(`git commit-tree failed: ${result.stderr.trim()}`);
  const commit = result.stdout.trim();
  await inClone(clone, ['update-ref', `refs/heads/${clone.branch}`, commit]);
  return commit;
}

/** "upload 1/3 1048576/3221225472 models/large-v3.pt" (git-lfs's progress file). */
function progressOf(line: string): PushProgress | undefined {
  const match = /^upload \d+\/\d+ (\d+)\/(\d+) (.*)$/.exec(line);
  return match ? { bytes: Number(match[1]), total: Number(match[2]), file: match[3]! } : undefined;
}

/**
 * Where git-lfs writes its progress: a line per 32 KiB sent, appended. On a disk that is thousands of
 * small appends beside the upload's reads (measured: 512 MiB over HTTPS took 4.0 s with the file in
 * /tmp, 1.7 s in /dev/shm, 1.6 s with none); in memory they cost nothing.
 */
async function memoryBackedDir(): Promise<string> {
  for (const dir of ['/dev/shm', process.env['XDG_RUNTIME_DIR']]) {
    if (dir && (await access(dir, constants.W_OK).then(() => true, () => false))) return dir;
  }
  return os.tmpdir();
}

/** The LFS objects `commit` needs that the remote lacks, uploaded. */
async function pushObjects(clone: WorkClone, commit: string, onProgress?: (progress: PushProgress) => void): Promise<void> {
  const progressDir = await mkdtemp(path.join(await memoryBackedDir(), 'whisper-drill-lfs-'));
  const progressFile = path.join(progressDir, 'progress');
  // git-lfs writes a line per file and per chunk: the bytes of the file at hand, against its size.
  const done = new Map<string, number>();
  const follower = followLog(progressFile, (line) => {
    const progress = progressOf(line);
    if (!progress || !onProgress) return;
    done.set(progress.file ?? '', progress.bytes);
    onProgress(progress);
  });
  try {
    // --all: every object the commit needs, not only those of commits the remote's branch lacks — a
    // commit pushed earlier whose objects never landed gets them now (the server takes only what it lacks).
    const result = await git(['-C', clone.dir, 'lfs', 'push', '--all', REMOTE_NAME, commit], {
      env: { ...clone.env, GIT_LFS_PROGRESS: progressFile },
      runner: clone.runner,
      signal: clone.signal,
    });
    if (result.exitCode !== 0) {
      throw new DrillError(`git lfs push to ${clone.remote.display} failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`, {
        hint: remoteHint('check the LFS server: the backup needs write access to it')(result) ?? 'nothing was tagged',
      });
    }
  } finally {
    await follower.close();
    await rm(progressDir, { recursive: true, force: true });
  }
}

const MOVED = /\[rejected\]|fetch first|non-fast-forward|\(stale info\)/;

async function pushBranch(clone: WorkClone, commit: string, expected: string | undefined): Promise<'pushed' | 'moved'> {
  // --force-with-lease: the branch is where it was fetched, or the push is refused (a new branch: it must not exist yet).
  const lease = `--force-with-lease=refs/heads/${clone.branch}:${expected ?? ''}`;
  const result = await git(['-C', clone.dir, 'push', '--quiet', '--no-verify', '--porcelain', lease, REMOTE_NAME, `${commit}:refs/heads/${clone.branch}`], {
    env: clone.env,
    runner: clone.runner,
    signal: clone.signal,
  });
  if (result.exitCode === 0) return 'pushed';
  if (MOVED.test(result.stdout + result.stderr)) return 'moved';
  throw new DrillError(`git push to ${clone.remote.display} failed: ${(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ')}`, {
    hint: remoteHint('check that this node may push to the backup')(result) ?? 'nothing was tagged',
  });
}

/**
 * Commit `tree` on the branch's head and push objects and commit. Returns the commit pushed (a new
 * one when the remote moved and the tree was committed again on its new head).
 */
export async function publish(clone: WorkClone, tree: string, message: string, onProgress?: (progress: PushProgress) => void, onNote?: (note: string) => void): Promise<string> {
  let head = clone.head;
  for (let attempt = 0; ; attempt += 1) {
    const commit = head !== undefined && (await inClone(clone, ['rev-parse', `${head}^{tree}`])).trim() === tree ? head : await commitTree(clone, tree, head, message);
    await pushObjects(clone, commit, onProgress);
    if (commit === head) return commit;
    if ((await pushBranch(clone, commit, head)) === 'pushed') return commit;
    const moved = await fetchBranch(clone);
    if (attempt >= 1) {
      throw new DrillError(`${clone.branch} of ${clone.remote.display} moved again while this snapshot pushed (now ${moved?.slice(0, 12) ?? 'gone'})`, {
        hint: 'another job is committing to the backup at the same time: let it finish, then snapshot again (nothing was tagged)',
      });
    }
    onNote?.(`${clone.branch} of ${clone.remote.display} moved meanwhile (now ${moved?.slice(0, 12) ?? 'gone'}): committing the same files on top of it`);
    head = moved;
  }
}
