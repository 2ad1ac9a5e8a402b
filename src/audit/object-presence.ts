/**
 * Whether each LFS object is where a restore would take it from, with the size its pointer says,
 * without downloading it: a `file://` backup's store is asked for the file's size; an LFS server is
 * asked the Batch API (in batches of 100), then for each object one ranged read of its last byte,
 * whose `Content-Range` total must equal the pointer's size — the Batch API alone echoes the size it
 * was sent. Each object is asked about once, however many tags share it.
 */
import { stat } from 'node:fs/promises';
import type { ProcessRunner } from '../adapters/run.js';
import { pool } from '../model/pool.js';
import type { Credentials } from '../snapshot/remote.js';
import { requestBatch, type LfsObject } from '../snapshot/lfs/batch.js';
import type { LfsSource } from '../snapshot/lfs/endpoint.js';
import { objectStore, storedObjectPath } from '../snapshot/lfs/file-store.js';
import { httpAuth } from '../snapshot/lfs/http-auth.js';
import { openConnections, request, type Connections } from '../snapshot/lfs/http-client.js';
import { transferProxies } from '../snapshot/lfs/proxy.js';
import { gitRetryPolicy } from '../snapshot/lfs/retry-policy.js';
import { gitTrust } from '../snapshot/trust.js';

export type Presence = { readonly present: true } | { readonly present: false; readonly why: string };

export interface PresenceHooks {
  readonly credentials?: Credentials;
  readonly runner?: ProcessRunner;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onSecret?: (secret: string) => void;
}

const BATCH = 100;
const AT_ONCE = 8;

async function inStore(repoDir: string, objects: readonly LfsObject[]): Promise<Map<string, Presence>> {
  const store = objectStore(repoDir);
  const found = new Map<string, Presence>();
  await pool(objects, AT_ONCE, async (object) => {
    const info = await stat(storedObjectPath(store, object.oid)).catch(() => undefined);
    found.set(
      object.oid,
      !info?.isFile() ? { present: false, why: `not in ${store}` } : info.size !== object.size ? { present: false, why: `${info.size} bytes in the store, the pointer says ${object.size}` } : { present: true },
    );
  });
  return found;
}

/** The size a ranged read of the last byte says the object has (the total of its Content-Range). */
async function sizeOnServer(href: string, header: Readonly<Record<string, string>>, size: number, connections: Connections, signal?: AbortSignal): Promise<Presence> {
  if (size === 0) return { present: true };
  const answer = await request(href, { headers: { ...header, range: `bytes=${size - 1}-` }, connections, ...(signal ? { signal } : {}) });
  const range = answer.headers['content-range'];
  // The body is one byte, or (a server that ignores Range) the whole object: read no more than 64 KiB of it.
  await answer.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  const total = /\/(\d+)$/.exec(String(range ?? ''))?.[1];
  if (answer.statusCode === 206 || (answer.statusCode === 416 && total !== undefined)) {
    if (total === undefined) return { present: false, why: `HTTP 206 without a total size (Content-Range: ${String(range ?? 'none')})` };
    // 416: the last byte asked for is past the end; its Content-Range still says the object's size.
    return Number(total) === size ? { present: true } : { present: false, why: `the server holds ${total} bytes, the pointer says ${size}` };
  }
  if (answer.statusCode === 200) {
    const length = Number(answer.headers['content-length']);
    return length === size ? { present: true } : { present: false, why: `the server sends ${Number.isFinite(length) ? length : 'an unknown number of'} bytes, the pointer says ${size}` };
  }
  if (answer.statusCode === 416) return { present: false, why: `the server holds fewer bytes than the pointer's ${size} (HTTP 416)` };
  return { present: false, why: `its download link answered HTTP ${answer.statusCode}` };
}

async function onServer(source: Extract<LfsSource, { kind: 'server' }>, objects: readonly LfsObject[], hooks: PresenceHooks): Promise<Map<string, Presence>> {
  const env = hooks.env ? { env: hooks.env } : {};
  const gitHooks = { runner: hooks.runner, ...env, ...(hooks.signal ? { signal: hooks.signal } : {}) };
  const auth = httpAuth(source.endpoint, { ...(hooks.credentials ? { explicit: hooks.credentials } : {}), runner: hooks.runner, ...env, ...(hooks.onSecret ? { onSecret: hooks.onSecret } : {}) });
  const connections = openConnections(await gitTrust(gitHooks), await transferProxies(source.endpoint, { ...gitHooks, ...(hooks.onSecret ? { onSecret: hooks.onSecret } : {}) }));
  const retry = await gitRetryPolicy(gitHooks);
  const found = new Map<string, Presence>();
  try {
    for (let at = 0; at < objects.length; at += BATCH) {
      const batch = objects.slice(at, at + BATCH);
      const answer = await requestBatch(batch, { endpoint: source.endpoint, header: source.header, auth, connections, retry, ...(hooks.signal ? { signal: hooks.signal } : {}) });
      for (const refused of answer.refused) found.set(refused.oid, { present: false, why: `the server answered ${refused.code}: ${refused.message}` });
      await connections.proxies.prepare?.(answer.actions.map((action) => action.href));
      // The pointer's size, not the one the Batch API echoes.
      const sizeOf = new Map(batch.map((object) => [object.oid, object.size]));
      await pool(answer.actions, AT_ONCE, async (action) => {
        found.set(action.oid, await sizeOnServer(action.href, action.header ?? {}, sizeOf.get(action.oid) ?? action.size, connections, hooks.signal));
      });
      for (const object of batch) if (!found.has(object.oid)) found.set(object.oid, { present: false, why: 'the Batch API named no download for it' });
    }
  } finally {
    connections.close();
  }
  return found;
}

/** Where each object stands; the order of `objects` is kept. */
export async function objectPresence(source: LfsSource, objects: readonly LfsObject[], hooks: PresenceHooks = {}): Promise<Map<string, Presence>> {
  return source.kind === 'store' ? inStore(source.repoDir, objects) : onServer(source, objects, hooks);
}
