/**
 * What the staged tree changes against the newest tag, as git sees it (blob ids: by content, never
 * by size): each file added, changed or removed with its sizes — an LFS file's from its pointer —
 * and, for a changed text file, its line counts and diff. The "exposure" is the same in a sentence:
 * what a restore of the newest tag would lose of the live node.
 */
import { readLfsPointers } from '../snapshot/pointers.js';
import type { StagedFile } from './stage.js';
import { inClone, type WorkClone } from './work-clone.js';

export interface FileChange {
  readonly path: string;
  readonly change: 'added' | 'changed' | 'removed';
  readonly size: number;
  readonly before?: number;
  readonly lfs: boolean;
  readonly lines?: { readonly added: number; readonly removed: number };
  readonly diff?: string;
}

/** git's id of the empty tree: a first snapshot is compared with nothing. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const STATUS: Record<string, FileChange['change']> = { A: 'added', M: 'changed', D: 'removed', T: 'changed' };

/** Files of the backup's own making are changes too, but not the operator's: listed last. */
const OWN = new Set(['.gitattributes', 'environment.lock.yaml']);

async function sizesAt(clone: WorkClone, rev: string): Promise<Map<string, { size: number; lfs: boolean }>> {
  const sizes = new Map<string, { size: number; lfs: boolean }>();
  for (const record of (await inClone(clone, ['ls-tree', '-r', '-l', '-z', rev])).split('\0')) {
    const match = /^\d+ blob [0-9a-f]+\s+(\d+)\t(.*)$/s.exec(record);
    if (match) sizes.set(match[2]!, { size: Number(match[1]), lfs: false });
  }
  for (const pointer of await readLfsPointers(`${clone.dir}/.git`, rev, clone.runner)) sizes.set(pointer.path, { size: pointer.size, lfs: true });
  return sizes;
}

/** A file the snapshot writes itself (.gitattributes, the lock): its staged size. */
async function ownFile(clone: WorkClone, file: string): Promise<{ size: number; lfs: boolean }> {
  const size = Number((await inClone(clone, ['cat-file', '-s', `:${file}`])).trim());
  return { size, lfs: false };
}

/** The staged tree against `base` (a commit of the clone); against nothing, every file is added. */
export async function stagedChanges(clone: WorkClone, staged: readonly StagedFile[], base: string | undefined, noDiff: ReadonlySet<string> = new Set()): Promise<FileChange[]> {
  const now = new Map(staged.map((file) => [file.path, file]));
  base ??= EMPTY_TREE;
  const before = await sizesAt(clone, base);
  const nameStatus = (await inClone(clone, ['diff', '--cached', '--no-renames', '--name-status', '-z', base])).split('\0').filter(Boolean);
  const numstat = new Map<string, { added: number; removed: number }>();
  for (const record of (await inClone(clone, ['diff', '--cached', '--no-renames', '--numstat', '-z', base])).split('\0')) {
    const match = /^(\d+)\t(\d+)\t(.*)$/s.exec(record);
    if (match) numstat.set(match[3]!, { added: Number(match[1]), removed: Number(match[2]) });
  }
  const changes: FileChange[] = [];
  for (let at = 0; at + 1 < nameStatus.length; at += 2) {
    const change = STATUS[nameStatus[at]!.charAt(0)];
    const file = nameStatus[at + 1]!;
    if (!change) continue;
    const old = before.get(file);
    const current = now.get(file) ?? (change === 'removed' ? undefined : await ownFile(clone, file));
    const lfs = current?.lfs ?? old?.lfs ?? false;
    const lines = lfs ? undefined : numstat.get(file);
    // A file allowed to hold credentials (backup.allowSecretsIn) is counted, never shown: the diff goes to logs.
    const diff = change === 'changed' && !lfs && !noDiff.has(file) ? await inClone(clone, ['diff', '--cached', '--no-color', '--unified=2', base, '--', file]) : undefined;
    changes.push({
      path: file,
      change,
      size: change === 'removed' ? 0 : (current?.size ?? 0),
      ...(old ? { before: old.size } : {}),
      lfs,
      ...(lines ? { lines } : {}),
      ...(diff ? { diff: diff.split('\n').filter((line) => !/^(diff --git|index |--- |\+\+\+ )/.test(line)).join('\n').trim() } : {}),
    });
  }
  return changes.sort((a, b) => Number(OWN.has(a.path)) - Number(OWN.has(b.path)) || (a.path < b.path ? -1 : 1));
}

/** "config.yaml (2 lines) and models/large-v3.pt": the operator's files that differ. */
export function exposureText(changes: readonly FileChange[]): string {
  const named = changes
    .filter((change) => !OWN.has(change.path))
    .map((change) => {
      if (change.change === 'added') return `${change.path} (new)`;
      if (change.change === 'removed') return `${change.path} (gone)`;
      const lines = change.lines ? change.lines.added + change.lines.removed : 0;
      return change.lines ? `${change.path} (${lines} line${lines === 1 ? '' : 's'})` : change.path;
    });
  if (named.length <= 1) return named.join('');
  return `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
}
