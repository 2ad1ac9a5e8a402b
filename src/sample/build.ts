/**
 * Builds the embedded sample backup: a bare Git repository whose model and audio live in real Git LFS
 * (reachable through file://), with a history of annotated tags — one whose LFS object is corrupt on
 * the remote, one SSH-signed — and an allowed-signers file. Idempotent: a stamp of the inputs skips
 * the build when nothing changed.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitOk } from '../adapters/git.js';
import { writeArchive } from '../archive/create.js';
import { LOCK_FILE } from '../model/environment-lock.js';
import { run, describeFailure } from '../adapters/run.js';
import { packageRoot } from '../paths.js';
import { corruptObject } from './corrupt.js';
import { SAMPLE_HISTORY, type SampleRevision } from './history.js';

export interface SampleBackup {
  /** file:// URL of the bare repository. */
  readonly url: string;
  readonly repoDir: string;
  readonly allowedSigners: string;
  /** The cold tier: a signed tar.gz of v1.3-signed-release with its manifest, .sha256 and .sig. */
  readonly archive: string;
  readonly built: boolean;
}

/** The sample's cold archive: the newest tag's files, as the monthly archive of its month. */
const ARCHIVE_TAG = 'v1.3-signed-release';
const ARCHIVE_NAME = 'whisper-backup-20260601.tar.gz';

const BUILDER_VERSION = '2';
const sourceDir = path.join(packageRoot, 'fixtures', 'sample-backup');
const modelTool = path.join(packageRoot, 'fixtures', 'model', 'make_model.py');
const locksDir = path.join(packageRoot, 'fixtures', 'sample-locks');

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)])),
  );
  return files.flat().sort();
}

async function inputStamp(): Promise<string> {
  const hash = createHash('sha256').update(`builder ${BUILDER_VERSION}\n${JSON.stringify(SAMPLE_HISTORY)}\n`);
  for (const file of await listFiles(sourceDir)) hash.update(file).update(await readFile(path.join(sourceDir, file)));
  hash.update(await readFile(modelTool));
  for (const file of await listFiles(locksDir)) hash.update(file).update(await readFile(path.join(locksDir, file)));
  return hash.digest('hex');
}

async function makeModel(out: string, variant: number, signal?: AbortSignal): Promise<void> {
  await mkdir(path.dirname(out), { recursive: true });
  const result = await run('python3', [modelTool, out, '--samples', sourceDir, '--variant', String(variant)], { signal });
  if (result.exitCode !== 0) throw new Error(`building the sample model failed: ${describeFailure(result)}`);
}

function dated(revision: SampleRevision): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: 'Nightly Backup',
    GIT_AUTHOR_EMAIL: 'backup@whisper.example',
    GIT_COMMITTER_NAME: 'Nightly Backup',
    GIT_COMMITTER_EMAIL: 'backup@whisper.example',
    GIT_AUTHOR_DATE: revision.date,
    GIT_COMMITTER_DATE: revision.date,
  };
}

async function commitRevision(work: string, revision: SampleRevision, keyFile: string, signal?: AbortSignal): Promise<void> {
  if (revision.model !== undefined) await makeModel(path.join(work, 'models', 'large-v3.pt'), revision.model, signal);
  for (const [file, text] of Object.entries(revision.files ?? {})) await writeFile(path.join(work, file), text);
  if (revision.lock) await cp(path.join(locksDir, revision.lock), path.join(work, LOCK_FILE));
  const env = dated(revision);
  await gitOk(['-C', work, 'add', '--all'], { env });
  await gitOk(['-C', work, 'commit', '--quiet', '--allow-empty', '-m', revision.commit], { env });
  const sign = revision.signed ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${keyFile}`] : [];
  await gitOk(['-C', work, ...sign, 'tag', revision.signed ? '-s' : '-a', revision.tag, '-m', revision.message], { env });
}

/** The cold archive of ARCHIVE_TAG, written from its checkout as `whisper-drill snapshot --archive` writes one. */
async function writeColdArchive(tree: string, out: string, keyFile: string): Promise<void> {
  await gitOk(['-C', tree, 'checkout', '--quiet', ARCHIVE_TAG]);
  const commit = (await gitOk(['-C', tree, 'rev-parse', `${ARCHIVE_TAG}^{commit}`])).trim();
  const files = (await gitOk(['-C', tree, 'ls-files', '-z'])).split('\0').filter((file) => file && !file.startsWith('.git'));
  const lock = await readFile(path.join(tree, LOCK_FILE), 'utf8').catch(() => null);
  const date = SAMPLE_HISTORY.find((revision) => revision.tag === ARCHIVE_TAG)!.date;
  await writeArchive(out, { root: tree, files, tag: { name: ARCHIVE_TAG, commit }, environmentLock: lock, signingKey: keyFile, createdAt: new Date(date) });
}

async function build(dest: string, stamp: string, signal?: AbortSignal): Promise<void> {
  const work = `${dest}.work-${process.pid}`;
  const bare = path.join(work, 'whisper-backup.git');
  const tree = path.join(work, 'tree');
  await rm(work, { recursive: true, force: true });
  try {
    await mkdir(tree, { recursive: true });
    const keyFile = path.join(work, 'signing_key');
    const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'backup-signer', '-f', keyFile]);
    if (keygen.exitCode !== 0) throw new Error(`ssh-keygen failed: ${describeFailure(keygen)}`);
    const publicKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim();
    await writeFile(path.join(work, 'allowed_signers'), `backup-signer@whisper.example namespaces="git,file" ${publicKey}\n`);

    await gitOk(['init', '--quiet', '-b', 'main', tree]);
    await gitOk(['-C', tree, 'lfs', 'install', '--local'], {}, 'install git-lfs: apt-get install -y git-lfs');
    await writeFile(path.join(tree, '.gitattributes'), '*.pt filter=lfs diff=lfs merge=lfs -text\n*.wav filter=lfs diff=lfs merge=lfs -text\n');
    await cp(sourceDir, tree, { recursive: true });
    for (const revision of SAMPLE_HISTORY) await commitRevision(tree, revision, keyFile, signal);

    await gitOk(['init', '--quiet', '--bare', bare]);
    await gitOk(['-C', tree, 'push', '--quiet', `file://${bare}`, 'main', '--tags']);
    for (const revision of SAMPLE_HISTORY) {
      if (revision.corruptRemoteModel) await corruptObject(bare, tree, revision.tag, 'models/large-v3.pt');
    }
    await writeColdArchive(tree, path.join(work, ARCHIVE_NAME), keyFile);
    await rm(tree, { recursive: true, force: true });
    await writeFile(path.join(work, 'stamp'), `${stamp}\n`);
    await rm(dest, { recursive: true, force: true });
    await rename(work, dest).catch(async (error: NodeJS.ErrnoException) => {
      // Another process built the same inputs at the same time: its result is as good as ours.
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code ?? '') || (await readStamp(dest)) !== stamp) throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function readStamp(dest: string): Promise<string> {
  return (await readFile(path.join(dest, 'stamp'), 'utf8').catch(() => '')).trim();
}

/** The sample backup, built under `cacheRoot` when missing or out of date. */
export async function ensureSampleBackup(cacheRoot: string, signal?: AbortSignal): Promise<SampleBackup> {
  const dest = path.join(cacheRoot, 'sample-backup');
  const stamp = await inputStamp();
  let built = false;
  if ((await readStamp(dest)) !== stamp) {
    await mkdir(cacheRoot, { recursive: true });
    await build(dest, stamp, signal);
    built = true;
  }
  const repoDir = path.join(dest, 'whisper-backup.git');
  await stat(repoDir);
  return { url: `file://${repoDir}`, repoDir, allowedSigners: path.join(dest, 'allowed_signers'), archive: path.join(dest, ARCHIVE_NAME), built };
}
