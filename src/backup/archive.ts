/**
 * `snapshot --archive DIR`: the cold tier, gathered as a snapshot gathers (the plan's backup.files,
 * the models from where they are loaded, this node's environment lock, the wheelhouse) and written as
 * a tar.gz whose first entry is whisper-drill-manifest.json, with a `.sha256` beside it and, with
 * --sign, a `.sig` (../archive/create.ts). The manifest names the hot tag the archive holds the files
 * of when the live node is what the newest tag holds (a dry run of the snapshot says so); otherwise
 * it names none, and the archive says it is of the live node alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeArchive } from '../archive/create.js';
import { DrillError } from '../model/errors.js';
import { git } from '../adapters/git.js';
import { gatherFiles } from './gather.js';
import { environmentAndWheels, makeSnapshot, Phases, type SnapshotInput, type SnapshotOutcome } from './snapshot.js';
import { listSnapshotTags, metadataRepoPath } from '../snapshot/tags.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** whisper-backup-YYYYMMDD.tar.gz, the operators' monthly name; a second archive of the day gets the time too. */
export function archiveName(at: Date, withTime = false): string {
  const time = withTime ? `-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}` : '';
  return `whisper-backup-${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${time}.tar.gz`;
}

/** The SSH private key of git's user.signingkey (which may name the public half). */
async function privateSigningKey(): Promise<string> {
  const key = (await git(['config', 'user.signingkey'])).stdout.trim();
  if (!key) throw new DrillError('--sign: git has no user.signingkey', { usage: true, hint: 'git config --global user.signingkey ~/.ssh/id_ed25519 (the archive is signed with ssh-keygen -Y sign)' });
  const file = key.startsWith('~/') ? path.join(os.homedir(), key.slice(2)) : key;
  return file.endsWith('.pub') ? file.slice(0, -4) : file;
}

export async function snapshotArchive(input: SnapshotInput, dir: string): Promise<SnapshotOutcome> {
  const { emit, plan } = input;
  const signingKey = input.sign ? await privateSigningKey() : undefined;
  const phases = new Phases(emit);
  phases.begin('gather');
  const gathered = await gatherFiles(plan.backup, input.from, path.dirname(plan.file), input.home);
  phases.end('gather', 'passed', `${gathered.length} files from ${input.from}`);

  // Is the live node what the newest tag holds? Then the archive is of that tag.
  let hot: { name: string; commit: string } | null = null;
  const exposure = await makeSnapshot({ ...input, dryRun: true, exposureOnly: true, emit: () => undefined }).catch((error: Error) => error);
  if (exposure instanceof Error) emit({ type: 'snapshot-phase', phase: 'archive', status: 'running', summary: `the hot tier could not be asked (${exposure.message.split('\n')[0]}): the archive names no tag` });
  else if (exposure.since && !exposure.exposure) {
    const tag = (await listSnapshotTags(metadataRepoPath(input.cacheRoot, input.remote.url), exposure.since.tag)).find((listed) => listed.name === exposure.since!.tag);
    if (tag) hot = { name: tag.name, commit: tag.commit };
  } else if (exposure.exposure) emit({ type: 'snapshot-phase', phase: 'archive', status: 'running', summary: `${exposure.exposure}: the archive names no hot tag` });

  const wheelDir = path.join(dir, `.wheels-${process.pid}`);
  try {
    const { lockText, wheels } = await environmentAndWheels(input, phases, gathered, wheelDir, undefined);
    phases.begin('archive');
    await mkdir(dir, { recursive: true });
    const files = [...gathered, ...wheels];
    const daily = path.join(path.resolve(dir), archiveName(input.now));
    // An archive already written today is never replaced: this one is named with the time as well.
    const out = existsSync(daily) ? path.join(path.resolve(dir), archiveName(input.now, true)) : daily;
    const written = await writeArchive(out, {
      root: input.from,
      files: files.map((file) => file.path),
      sources: new Map(files.map((file) => [file.path, file.source])),
      tag: hot,
      environmentLock: lockText,
      ...(signingKey ? { signingKey } : {}),
      createdAt: input.now,
    });
    const bytes = files.reduce((sum, file) => sum + file.size, 0);
    phases.end('archive', 'passed', `${out}: ${files.length} files${hot ? `, the files of ${hot.name}` : ''}; ${path.basename(out)}.sha256${written.signature ? `, ${path.basename(out)}.sig` : ''}`);
    emit({
      type: 'snapshot-end',
      exitCode: 0,
      repo: input.remote.display,
      files: files.length,
      bytes,
      archive: { file: out, sha256: written.sha256, ...(written.signature ? { signature: written.signature } : {}), ...(hot ? { tag: hot.name } : {}) },
    });
    return { exitCode: 0, changes: [] };
  } finally {
    await rm(wheelDir, { recursive: true, force: true });
  }
}
