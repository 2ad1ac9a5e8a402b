/** Damage one LFS object in a bare remote, keeping its size: the "broken backup" the drill must catch. */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { readLfsPointers } from '../snapshot/pointers.js';

export function lfsObjectPath(bareRepo: string, oid: string): string {
  return path.join(bareRepo, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
}

export async function corruptObject(bareRepo: string, tree: string, tag: string, file: string): Promise<void> {
  const pointers = await readLfsPointers(path.join(tree, '.git'), tag);
  const pointer = pointers.find((p) => p.path === file);
  if (!pointer) throw new Error(`${tag}:${file} is not an LFS pointer`);
  const handle = await open(lfsObjectPath(bareRepo, pointer.oid), 'r+');
  try {
    // Flip a run of bytes in the middle, as a bad disk sector or an interrupted copy would.
    const garbage = Buffer.alloc(4096, 0x5a);
    await handle.write(garbage, 0, garbage.length, Math.floor(pointer.size / 2));
  } finally {
    await handle.close();
  }
}
