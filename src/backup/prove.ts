/**
 * The push proven before any tag exists: every LFS object of the new commit asked of the remote as
 * a restore would ask for it — the Batch API's download, then a one-byte ranged read whose
 * Content-Range total must be the pointer's size (a file:// remote: the object file's size). A push
 * "succeeds" with an object missing (no pre-push hook, a flaky LFS host); this is where that is
 * caught, naming the object, and no tag is made.
 */
import { objectPresence, type Presence } from '../audit/object-presence.js';
import { lfsSource } from '../snapshot/lfs/endpoint.js';
import { readLfsPointers, type LfsPointer } from '../snapshot/pointers.js';
import type { WorkClone } from './work-clone.js';

export interface ProvenObject extends LfsPointer {
  readonly presence: Presence;
}

export async function proveLanded(clone: WorkClone, commit: string, onSecret?: (secret: string) => void): Promise<ProvenObject[]> {
  const pointers = await readLfsPointers(`${clone.dir}/.git`, commit, clone.runner);
  if (pointers.length === 0) return [];
  const hooks = { env: clone.env, ...(clone.runner ? { runner: clone.runner } : {}), ...(clone.signal ? { signal: clone.signal } : {}) };
  const source = await lfsSource(clone.remote, clone.dir, hooks);
  const unique = [...new Map(pointers.map((pointer) => [pointer.oid, { oid: pointer.oid, size: pointer.size }])).values()];
  const found = await objectPresence(source, unique, { ...hooks, ...(clone.remote.credentials ? { credentials: clone.remote.credentials } : {}), ...(onSecret ? { onSecret } : {}) });
  return pointers.map((pointer) => ({ ...pointer, presence: found.get(pointer.oid) ?? { present: false, why: 'not asked' } }));
}
