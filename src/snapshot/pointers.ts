/** Git LFS pointer files: read them from a commit's tree without downloading any object. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitOk } from '../adapters/git.js';
import type { ProcessRunner } from '../adapters/run.js';

export interface LfsPointer {
  readonly path: string;
  readonly oid: string;
  readonly size: number;
}

/** Pointers are ~130 bytes; the spec caps them at 1024. */
export const MAX_POINTER_SIZE = 1024;
const POINTER_RE = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n?$/;

export function parsePointer(text: string): { oid: string; size: number } | undefined {
  const match = POINTER_RE.exec(text);
  return match ? { oid: match[1]!, size: Number(match[2]) } : undefined;
}

interface TreeBlob {
  readonly path: string;
  readonly blob: string;
}

function smallBlobs(lsTree: string): TreeBlob[] {
  const blobs: TreeBlob[] = [];
  for (const record of lsTree.split('\0')) {
    // "<mode> blob <oid> <size>\t<path>"
    const match = /^\d+ blob ([0-9a-f]+)\s+(\d+)\t(.*)$/s.exec(record);
    if (match && Number(match[2]) <= MAX_POINTER_SIZE) blobs.push({ blob: match[1]!, path: match[3]! });
  }
  return blobs;
}

/** Read `git cat-file --batch` output for the given blob ids. */
function parseBatch(output: string, ids: readonly string[]): Map<string, string> {
  const contents = new Map<string, string>();
  let offset = 0;
  for (const id of ids) {
    const headerEnd = output.indexOf('\n', offset);
    const header = output.slice(offset, headerEnd).split(' ');
    const size = Number(header[2]);
    const body = output.slice(headerEnd + 1, headerEnd + 1 + size);
    contents.set(id, body);
    offset = headerEnd + 1 + size + 1;
  }
  return contents;
}

/** Every LFS pointer in the tree of `rev`, in path order. */
export async function readLfsPointers(gitDir: string, rev: string, runner?: ProcessRunner): Promise<LfsPointer[]> {
  const tree = await gitOk(['--git-dir', gitDir, 'ls-tree', '-r', '-l', '-z', rev], { runner });
  const blobs = smallBlobs(tree);
  if (blobs.length === 0) return [];
  const ids = [...new Set(blobs.map((b) => b.blob))];
  // latin1: one character per byte, so the byte counts in the batch headers are string offsets.
  const batch = await gitOk(['--git-dir', gitDir, 'cat-file', '--batch'], {
    runner,
    input: ids.join('\n') + '\n',
    encoding: 'latin1',
  });
  const contents = parseBatch(batch, ids);
  const pointers: LfsPointer[] = [];
  for (const { path, blob } of blobs) {
    const pointer = parsePointer(contents.get(blob) ?? '');
    if (pointer) pointers.push({ path, ...pointer });
  }
  return pointers;
}

/**
 * The LFS pointers of many commits at once, in four git processes whatever their number (a backup
 * with hundreds of tags lists in well under a second): the metadata repository's commits are
 * shallow, so `git log --root --raw` shows each one's whole tree; the small blobs among them are
 * read in one `cat-file --batch`. A commit whose parents are present (not shallow) is read alone.
 */
export async function readLfsPointersOfMany(gitDir: string, commits: readonly string[], runner?: ProcessRunner): Promise<Map<string, LfsPointer[]>> {
  const unique = [...new Set(commits)];
  const shallow = new Set((await readFile(path.join(gitDir, 'shallow'), 'utf8').catch(() => '')).split('\n').filter(Boolean));
  const whole = unique.filter((c) => shallow.has(c));
  const result = new Map<string, LfsPointer[]>();
  for (const commit of unique.filter((c) => !shallow.has(c))) result.set(commit, await readLfsPointers(gitDir, commit, runner));
  if (whole.length === 0) return result;
  const log = await gitOk(['--git-dir', gitDir, 'log', '--no-walk=unsorted', '--root', '-r', '--raw', '--no-abbrev', '-z', '--format=commit %H', ...whole], { runner });
  const files = new Map<string, TreeBlob[]>();
  const tokens = log.split('\0');
  let current: TreeBlob[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!.replace(/^\n+/, '');
    if (token.startsWith('commit ')) files.set(token.slice(7).trim(), (current = []));
    else if (token.startsWith(':')) {
      const [, mode, , blob] = token.split(' ');
      const file = tokens[(i += 1)]!;
      if (mode === '100644' || mode === '100755') current.push({ blob: blob!, path: file });
    }
  }
  const blobs = [...new Set([...files.values()].flat().map((f) => f.blob))];
  const sizes = await gitOk(['--git-dir', gitDir, 'cat-file', '--batch-check'], { runner, input: `${blobs.join('\n')}\n` });
  const small = sizes.split('\n').map((line) => line.split(' ')).filter((f) => f[1] === 'blob' && Number(f[2]) <= MAX_POINTER_SIZE).map((f) => f[0]!);
  const contents = small.length ? parseBatch(await gitOk(['--git-dir', gitDir, 'cat-file', '--batch'], { runner, input: `${small.join('\n')}\n`, encoding: 'latin1' }), small) : new Map<string, string>();
  for (const [commit, tree] of files) {
    const pointers: LfsPointer[] = [];
    // --raw lists a tree in git's path order, as ls-tree does.
    for (const { path: file, blob } of tree) {
      const pointer = parsePointer(contents.get(blob) ?? '');
      if (pointer) pointers.push({ path: file, ...pointer });
    }
    result.set(commit, pointers);
  }
  return result;
}
