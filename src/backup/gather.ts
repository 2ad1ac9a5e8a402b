/**
 * What a snapshot takes from the live node: the plan's `backup.files` under the service folder
 * (a folder written "example/" is taken whole) and each model from where the service loads it, each
 * with the path the backup keeps it at. A listed file that is not there is an error naming it: a
 * backup that silently left out config.yaml would restore a service that does not start.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DrillError } from '../model/errors.js';
import { BACKUP_DEFAULTS } from '../plan/schema-backup.js';
import type { Plan } from '../plan/types.js';

export type BackupPlan = NonNullable<Plan['backup']>;

export interface GatheredFile {
  /** Where it is read from on this node. */
  readonly source: string;
  /** Its path in the backup (forward slashes). */
  readonly path: string;
  readonly size: number;
  /** A model of backup.models (it must be an LFS file). */
  readonly model: boolean;
}

/** `~` and `~/…` are the home directory; a relative path is relative to `base`. */
export function expandHome(file: string, base: string, home = os.homedir()): string {
  if (file === '~') return home;
  if (file.startsWith('~/')) return path.join(home, file.slice(2));
  return path.resolve(base, file);
}

/** The live service folder: --from, else the plan's backup.from (relative to the plan file). */
export function serviceFolder(plan: Plan, from: string | undefined): string {
  if (from) return path.resolve(from);
  if (!plan.backup) throw new DrillError(`${plan.file} has no backup: section`, { hint: 'add one (whisper-drill init writes it; docs/snapshot.md), or give --from DIR with the plan\'s defaults' });
  return expandHome(plan.backup.from, path.dirname(plan.file));
}

/** Paths the backup itself writes: never taken from the service folder. */
const WRITTEN = new Set(['.gitattributes', 'environment.lock.yaml', 'whisper-drill-manifest.json']);

function inBackup(relative: string): string {
  const clean = path.posix.normalize(relative.split(path.sep).join('/')).replace(/^(?:\.\/)+/, '');
  if (clean === '.' || clean === '' || clean === './') throw new DrillError(`backup path "${relative}" names the whole service folder`, { hint: 'list what the backup holds (files, and folders written "example/"); the folder itself would take its venv and caches too' });
  if (clean.startsWith('../') || clean === '..' || path.posix.isAbsolute(clean)) throw new DrillError(`backup path "${relative}" leaves the backup`, { hint: 'paths in backup.files and backup.models[].to are relative, without ".."' });
  return clean;
}

async function walk(dir: string, prefix: string, into: GatheredFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const source = path.join(dir, entry.name);
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name === '.git' || entry.name === '__pycache__' || entry.name === '.venv') continue;
      await walk(source, `${relative}/`, into);
    } else if (entry.isFile()) {
      into.push({ source, path: relative, size: (await lstat(source)).size, model: false });
    } else if (entry.isSymbolicLink()) {
      // A link is followed to a file; a link to a folder, or to nothing, is refused by name — never skipped.
      const target = await realpath(source).catch(() => undefined);
      const info = target ? await lstat(target) : undefined;
      if (!info) throw new DrillError(`${source} is a symbolic link to nothing`, { hint: 'remove the link, or take it out of backup.files' });
      if (!info.isFile()) throw new DrillError(`${source} is a symbolic link to a folder (${target}): a snapshot does not follow it`, { hint: `list the folder in backup.files as itself, or move it into ${path.dirname(source)}` });
      into.push({ source, path: relative, size: info.size, model: false });
    }
  }
}

/** Every file the snapshot takes, in backup-path order; a path taken twice is an error. */
export async function gatherFiles(backup: BackupPlan | undefined, from: string, planDir: string, home = os.homedir()): Promise<GatheredFile[]> {
  const files = backup?.files ?? BACKUP_DEFAULTS.files;
  const gathered: GatheredFile[] = [];
  const fromInfo = await lstat(from).catch(() => undefined);
  if (!fromInfo?.isDirectory()) throw new DrillError(`the service folder ${from} is not a directory on this node`, { hint: 'set backup.from in the plan, or pass --from DIR' });
  for (const entry of files) {
    const relative = inBackup(entry);
    const source = path.join(from, relative);
    const info = await lstat(source).catch(() => undefined);
    if (!info) throw new DrillError(`${relative} (backup.files) is not in ${from}`, { hint: 'take it out of backup.files, or check backup.from / --from' });
    if (info.isDirectory()) await walk(source, `${relative.replace(/\/$/, '')}/`, gathered);
    else {
      const real = await lstat(await realpath(source));
      gathered.push({ source, path: relative, size: real.size, model: false });
    }
  }
  for (const model of backup?.models ?? []) {
    const source = expandHome(model.from, planDir, home);
    const info = await lstat(source)
      .then(async () => lstat(await realpath(source)))
      .catch(() => undefined);
    if (!info?.isFile()) throw new DrillError(`the model ${source} (backup.models, to ${model.to}) is not a file on this node`, { hint: 'backup.models[].from is where the service really loads the model (whisper.load_model("large-v3") reads ~/.cache/whisper/large-v3.pt)' });
    gathered.push({ source, path: inBackup(model.to), size: info.size, model: true });
  }
  const seen = new Map<string, string>();
  for (const file of gathered) {
    if (WRITTEN.has(file.path)) throw new DrillError(`${file.path} is written by the snapshot itself; ${file.source} cannot be backed up under that name`);
    const earlier = seen.get(file.path);
    if (earlier !== undefined && earlier !== file.source) throw new DrillError(`two files would be ${file.path} in the backup: ${earlier} and ${file.source}`);
    seen.set(file.path, file.source);
  }
  const unique = new Map(gathered.map((file) => [file.path, file]));
  return [...unique.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
