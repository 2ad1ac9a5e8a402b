/** Git LFS pointer files: read them from a commit's tree without downloading any object. */
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
