/**
 * A file:// backup needs no LFS server: its objects sit in the repository's own store
 * (`lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>`, `.git/lfs/…` for a non-bare one). Each is copied into
 * the work tree and hashed side by side.
 */
import { constants, existsSync } from 'node:fs';
import { copyFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileSha256 } from '../../adapters/file-sha256.js';
import type { LfsObject } from './batch.js';
import type { Landed } from './download.js';
import { placeOverPointer } from './place.js';

export function objectStore(repoDir: string): string {
  const bare = path.join(repoDir, 'lfs', 'objects');
  return existsSync(bare) ? bare : path.join(repoDir, '.git', 'lfs', 'objects');
}

export function storedObjectPath(store: string, oid: string): string {
  return path.join(store, oid.slice(0, 2), oid.slice(2, 4), oid);
}

/**
 * Copies one object from the store to `dest`; undefined when the store does not have it. The kernel
 * copies (copy_file_range, or a reflink where the filesystem has them) while this thread hashes the
 * same source bytes from the page cache: one pass of each, side by side, instead of copy then hash.
 */
export async function copyStoredObject(store: string, object: LfsObject, dest: string, options: { signal?: AbortSignal; onBytes?: (delta: number) => void } = {}): Promise<Landed | undefined> {
  const source = storedObjectPath(store, object.oid);
  if (!(await stat(source).catch(() => undefined))?.isFile()) return undefined;
  // A drill stopped before this object's turn does not start its copy.
  options.signal?.throwIfAborted();
  const temp = `${dest}.whisper-drill-part`;
  const copied = copyFile(source, temp, constants.COPYFILE_FICLONE);
  // It may fail (a full disk) while the hash is still reading: handled below, not an unhandled rejection meanwhile.
  copied.catch(() => undefined);
  let read: { sha256: string; size: number };
  try {
    read = await fileSha256(source, { ...(options.signal ? { signal: options.signal } : {}), ...(options.onBytes ? { onBytes: options.onBytes } : {}) });
    await copied;
  } catch (error) {
    await copied.catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  const { sha256, size } = read;
  const written = (await stat(temp)).size;
  if (written === object.size && size === object.size && sha256 === object.oid) await placeOverPointer(temp, dest);
  else await rm(temp, { force: true });
  return { oid: object.oid, size: written, sha256, resumed: 0 };
}
