/**
 * A file:// backup needs no LFS server: its objects sit in the repository's own store
 * (`lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>`, `.git/lfs/…` for a non-bare one). Each is copied into
 * the work tree and hashed in the same pass.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LfsObject } from './batch.js';
import type { Landed } from './download.js';

export function objectStore(repoDir: string): string {
  const bare = path.join(repoDir, 'lfs', 'objects');
  return existsSync(bare) ? bare : path.join(repoDir, '.git', 'lfs', 'objects');
}

export function storedObjectPath(store: string, oid: string): string {
  return path.join(store, oid.slice(0, 2), oid.slice(2, 4), oid);
}

/** Copies one object from the store to `dest`; undefined when the store does not have it. */
export async function copyStoredObject(store: string, object: LfsObject, dest: string, options: { signal?: AbortSignal; onBytes?: (delta: number) => void } = {}): Promise<Landed | undefined> {
  const source = storedObjectPath(store, object.oid);
  if (!(await stat(source).catch(() => undefined))?.isFile()) return undefined;
  const temp = `${dest}.whisper-drill-part`;
  const hash = createHash('sha256');
  const out = await open(temp, 'w');
  let size = 0;
  try {
    for await (const chunk of createReadStream(source, { highWaterMark: 1024 * 1024, signal: options.signal }) as AsyncIterable<Buffer>) {
      await out.write(chunk);
      hash.update(chunk);
      size += chunk.length;
      options.onBytes?.(chunk.length);
    }
  } catch (error) {
    await out.close();
    await rm(temp, { force: true });
    throw error;
  }
  await out.close();
  const sha256 = hash.digest('hex');
  if (size === object.size && sha256 === object.oid) await rename(temp, dest);
  else await rm(temp, { force: true });
  return { oid: object.oid, size, sha256, resumed: 0 };
}
