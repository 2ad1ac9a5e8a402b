/**
 * The gathered files written into the work clone and staged: `.gitattributes` from backup.lfs, then
 * git itself says which paths LFS tracks (`git check-attr filter`), and before any file is placed:
 *   - a file over backup.maxBlobMiB that LFS does not track is refused, with the line to add;
 *   - a model that is not an LFS file is refused;
 *   - credential-shaped text in a file that is not LFS is refused (./secrets.ts), naming file and line.
 * LFS files become objects and pointers (./lfs-files.ts), the rest are copied; `git add --all` stages
 * the whole tree, whose id says by content whether anything changed.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DrillError } from '../model/errors.js';
import type { GatheredFile } from './gather.js';
import { hashFile, placeLfsFile, type LfsObjectFile } from './lfs-files.js';
import { findSecrets } from './secrets.js';
import { gitOk } from '../adapters/git.js';
import { inClone, type WorkClone } from './work-clone.js';

export interface StagedFile extends GatheredFile {
  readonly lfs: boolean;
  /** LFS files: the object's id. */
  readonly oid?: string;
}

export interface Staged {
  readonly files: readonly StagedFile[];
  /** The id of the staged tree: equal ids, equal contents. */
  readonly tree: string;
  /** LFS objects copied into the clone's store (new since the last snapshot made here). */
  readonly copied: number;
}

export interface StageRules {
  readonly lfs: readonly string[];
  readonly maxBlobMiB: number;
  readonly allowSecretsIn: readonly string[];
}

/** Written as the first line of .gitattributes. */
const ATTRIBUTES_HEADER = '# Written by whisper-drill snapshot from the plan\'s backup.lfs.';

export function attributesText(patterns: readonly string[]): string {
  return [ATTRIBUTES_HEADER, ...patterns.map((pattern) => `${pattern} filter=lfs diff=lfs merge=lfs -text`), ''].join('\n');
}

/** Which of `paths` git would hand to the LFS filter, as the clone's .gitattributes says. */
async function lfsTracked(clone: WorkClone, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  // On stdin, not argv: a folder taken whole may hold more paths than a command line.
  const output = await gitOk(['-C', clone.dir, 'check-attr', '-z', '--stdin', 'filter'], { env: clone.env, runner: clone.runner, input: `${paths.join('\0')}\0` });
  const fields = output.split('\0');
  const tracked = new Set<string>();
  for (let at = 0; at + 2 < fields.length; at += 3) if (fields[at + 2] === 'lfs') tracked.add(fields[at]!);
  return tracked;
}

const MIB = 1024 * 1024;

function refusals(files: readonly GatheredFile[], tracked: ReadonlySet<string>, rules: StageRules): string[] {
  const problems: string[] = [];
  for (const file of files) {
    if (tracked.has(file.path)) continue;
    if (file.model) problems.push(`${file.path} is a model and LFS does not track it: add "${file.path} filter=lfs diff=lfs merge=lfs -text" (backup.lfs: "${file.path}")`);
    else if (file.size > rules.maxBlobMiB * MIB) {
      problems.push(`${file.path} is ${(file.size / MIB).toFixed(1)} MiB, over backup.maxBlobMiB (${rules.maxBlobMiB}), and LFS does not track it: add "${path.posix.extname(file.path) ? `*${path.posix.extname(file.path)}` : file.path} filter=lfs diff=lfs merge=lfs -text" (backup.lfs)`);
    }
  }
  return problems;
}

export async function stageFiles(clone: WorkClone, files: readonly GatheredFile[], rules: StageRules, extra: ReadonlyArray<{ path: string; text: string }>, onBytes?: (bytes: number, file: string) => void, copyObjects = true): Promise<Staged> {
  await writeFile(path.join(clone.dir, '.gitattributes'), attributesText(rules.lfs));
  const tracked = await lfsTracked(clone, files.map((file) => file.path));
  const problems = refusals(files, tracked, rules);
  const allowed = new Set(rules.allowSecretsIn);
  const secrets = await findSecrets(files.filter((file) => !tracked.has(file.path) && !allowed.has(file.path)));
  for (const found of secrets) problems.push(`${found.path}:${found.line}:${found.column}: ${found.what} — a credential committed stays in the backup's history for ever (or list the file in backup.allowSecretsIn)`);
  if (problems.length > 0) throw new DrillError(`the snapshot refuses ${problems.length === 1 ? 'a file' : `${problems.length} files`}:\n  ${problems.join('\n  ')}`, { hint: 'nothing was committed or pushed' });

  let copied = 0;
  const staged: StagedFile[] = [];
  for (const file of files) {
    const target = path.join(clone.dir, file.path);
    if (tracked.has(file.path)) {
      const object: LfsObjectFile = await hashFile(file.source, (bytes) => onBytes?.(bytes, file.path), clone.signal);
      // A dry run (and check's exposure) needs the pointer alone: no model is copied into the cache for it.
      if ((await placeLfsFile(clone.dir, file.source, file.path, object, copyObjects)).copied) copied += 1;
      staged.push({ ...file, size: object.size, lfs: true, oid: object.oid });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(file.source, target);
      onBytes?.(file.size, file.path);
      staged.push({ ...file, lfs: false });
    }
  }
  for (const written of extra) await writeFile(path.join(clone.dir, written.path), written.text);
  // --force: a .gitignore copied in from the service folder (or the node's global excludes) must not
  // leave a gathered file out of the backup without a word.
  await inClone(clone, ['add', '--all', '--force']);
  const tree = (await inClone(clone, ['write-tree'])).trim();
  return { files: staged, tree, copied };
}
