/** Check the bytes on disk against the pointers of the snapshot: size, sha256, no pointer left, no stale lock. */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileSha256 } from '../adapters/file-sha256.js';
import type { LfsFileRecord } from '../model/record.js';
import { MAX_POINTER_SIZE, parsePointer, type LfsPointer } from './pointers.js';

async function readSmallFile(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_POINTER_SIZE);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

/**
 * @param landed what the transfer wrote for this object, hashed as it was written: when its size and
 *   sha256 match and the file on disk has that size, the bytes are not read a second time. A
 *   `rejectedSha256` (bytes that arrived but did not match) names what the remote holds.
 */
export async function verifyLfsFile(
  root: string,
  pointer: LfsPointer,
  onBytes?: (bytes: number) => void,
  rejectedSha256?: string,
  landed?: { readonly sha256: string; readonly size: number },
): Promise<LfsFileRecord> {
  const file = path.join(root, pointer.path);
  const base = { path: pointer.path, size: pointer.size, oid: pointer.oid };
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return { ...base, verified: false, problem: `${pointer.path}: missing from the restored tree` };
  if (info.size <= MAX_POINTER_SIZE && info.size !== pointer.size && parsePointer(await readSmallFile(file))) {
    const remote = rejectedSha256
      ? `; the remote's object hashes to sha256 ${rejectedSha256}, expected ${pointer.oid} (refused, not written)`
      : `; expected ${pointer.size} bytes with sha256 ${pointer.oid}`;
    return { ...base, verified: false, actualSize: info.size, ...(rejectedSha256 ? { actualSha256: rejectedSha256 } : {}), problem: `${pointer.path}: still an LFS pointer, its content never arrived${remote}` };
  }
  if (landed && landed.sha256 === pointer.oid && landed.size === pointer.size && info.size === pointer.size) {
    onBytes?.(info.size);
    return { ...base, verified: true, actualSize: info.size, actualSha256: landed.sha256 };
  }
  const { sha256: actualSha256 } = await fileSha256(file, onBytes ? { onBytes } : {});
  if (info.size !== pointer.size) {
    return { ...base, verified: false, actualSize: info.size, actualSha256, problem: `${pointer.path}: ${info.size} bytes on disk, the pointer says ${pointer.size} (sha256 ${actualSha256}, expected ${pointer.oid})` };
  }
  if (actualSha256 !== pointer.oid) {
    return { ...base, verified: false, actualSize: info.size, actualSha256, problem: `${pointer.path}: sha256 ${actualSha256} on disk, expected ${pointer.oid}` };
  }
  return { ...base, verified: true, actualSize: info.size, actualSha256 };
}

/** A lock git left behind (a killed `git lfs pull` leaves one, and a re-run fixes nothing). */
export async function staleIndexLock(root: string): Promise<string | undefined> {
  const lock = path.join(root, '.git', 'index.lock');
  return (await stat(lock).then(() => true, () => false)) ? lock : undefined;
}
