/**
 * --resume: the LFS files a killed drill had already placed in the work tree. Each is hashed again (never
 * trusted because it is there); one whose size and sha256 are its pointer's is kept and not fetched again.
 */
import { stat } from 'node:fs/promises';
import type { LfsPointer } from '../pointers.js';
import { fileSha256 } from '../../adapters/file-sha256.js';
import type { Landed } from './download.js';

/** The objects already in place at `dest(pointer)`, re-hashed; `onBytes` counts what was read. */
export async function keptObjects(objects: readonly LfsPointer[], dest: (pointer: LfsPointer) => string, signal?: AbortSignal, onBytes?: (delta: number) => void): Promise<Map<string, Landed>> {
  const kept = new Map<string, Landed>();
  for (const object of objects) {
    if (signal?.aborted) throw signal.reason;
    const info = await stat(dest(object)).catch(() => undefined);
    // A pointer file (or a file of another size) is not the object: no need to read it.
    if (!info?.isFile() || info.size !== object.size) continue;
    let read = 0;
    const { sha256 } = await fileSha256(dest(object), {
      onBytes: (delta) => {
        read += delta;
        onBytes?.(delta);
      },
      ...(signal ? { signal } : {}),
    });
    if (sha256 === object.oid) kept.set(object.oid, { oid: object.oid, size: object.size, sha256, resumed: 0, keptBytes: object.size });
    // Read, but not kept: its bytes are fetched (and counted) again.
    else onBytes?.(-read);
  }
  return kept;
}
