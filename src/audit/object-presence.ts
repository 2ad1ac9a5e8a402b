/**
 * Whether each LFS object is where a restore would take it from, with the size its pointer says,
 * without downloading it: a `file://` backup's store is asked for the file's size; an LFS server is
 * asked the Batch API (in batches of 100), then for each object one ranged read of its last byte,
 * whose `Content-Range` total must equal the pointer's size — the Batch API alone echoes the size it
 * was sent. Each object is asked about once, however many tags share it.
 */
import { stat } from 'node:fs/promises';
import type { ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import { pool } from '../model/pool.js';
import { sleep } from '../model/sleep.js';
import type { Credentials } from '../snapshot/remote.js';
import { requestBatch, type DownloadAction, type LfsObject } from '../snapshot/lfs/batch.js';
import type { LfsSource } from '../snapshot/lfs/endpoint.js';
import { objectStore, storedObjectPath } from '../snapshot/lfs/file-store.js';
import { httpAuth } from '../snapshot/lfs/http-auth.js';
import { openConnections, request, type Connections } from '../snapshot/lfs/http-client.js';
import { transferProxies } from '../snapshot/lfs/proxy.js';
import { gitRetryPolicy, waitAfter, type RetryPolicy } from '../snapshot/lfs/retry-policy.js';
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

/** What a ranged read's answer says of the object's size. */
function judged(status: number, headers: Readonly<Record<string, string | string[] | undefined>>, size: number): Presence {
  const range = headers['content-range'];
  const total = /\/(\d+)$/.exec(String(range ?? ''))?.[1];
  if (status === 206 || (status === 416 && total !== undefined)) {
    if (total === undefined) return { present: false, why: `HTTP 206 without a total size (Content-Range: ${String(range ?? 'none')})` };
    // 416: the last byte asked for is past the end; its Content-Range still says the object's size.
    return Number(total) === size ? { present: true } : { present: false, why: `the server holds ${total} bytes, the pointer says ${size}` };
  }
  if (status === 200) {
    const length = Number(headers['content-length']);
    return length === size ? { present: true } : { present: false, why: `the server sends ${Number.isFinite(length) ? length : 'an unknown number of'} bytes, the pointer says ${size}` };
  }
  if (status === 416) return { present: false, why: `the server holds fewer bytes than the pointer's ${size} (HTTP 416)` };
  return { present: false, why: `its download link answered HTTP ${status}` };
}

/** A server busy or failing for a moment: asked again, as a restore's download would be. */
const TRANSIENT = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * The size a ranged read of the last byte says the object has (the total of its Content-Range). A
 * busy server (408, 429, 5xx) and a lost connection are retried by the restore's policy; when they
 * still fail, the object could not be asked — a DrillError that ends the audit (exit 3), never a
 * "missing" that would fail a tag for a server that was only busy.
 */
async function sizeOnServer(action: DownloadAction, size: number, connections: Connections, retry: RetryPolicy, signal?: AbortSignal): Promise<Presence> {
  if (size === 0) return { present: true };
  const where = `the download link of ${action.oid.slice(0, 12)}… at ${new URL(action.href).host}`;
  for (let attempt = 0; ; attempt += 1) {
    let wait = retry.delayMs(attempt);
    try {
      const answer = await request(action.href, { headers: { ...action.header, range: `bytes=${size - 1}-` }, connections, ...(signal ? { signal } : {}) });
      // The body is one byte, or (a server that ignores Range) the whole object: read no more than 64 KiB of it.
      await answer.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (!TRANSIENT(answer.statusCode)) return judged(answer.statusCode, answer.headers, size);
      if (attempt >= retry.retries) throw new DrillError(`${where} kept answering HTTP ${answer.statusCode} (${retry.retries + 1} tries)`, { hint: 'the LFS server or its storage is failing: audit again later' });
      wait = waitAfter(retry, attempt, answer.headers['retry-after']);
    } catch (error) {
      if (signal?.aborted || error instanceof DrillError) throw error;
      if (attempt >= retry.retries) {
        throw new DrillError(`${where} could not be asked (${retry.retries + 1} tries): ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, { hint: 'check the network and the object storage, then audit again' });
      }
    }
    await sleep(wait, signal);
  }
}

async function onServer(source: Extract<LfsSource, { kind: 'server' }>, objects: readonly LfsObject[], hooks: PresenceHooks): Promise<Map<string, Presence>> {
  const env = hooks.env ? { env: hooks.env } : {};
  const gitHooks = { runner: hooks.runner, ...env, ...(hooks.signal ? { signal: hooks.signal } : {}) };
  const auth = httpAuth(source.endpoint, { ...(hooks.credentials ? { explicit: hooks.credentials } : {}), runner: hooks.runner, ...env, ...(hooks.onSecret ? { onSecret: hooks.onSecret } : {}) });
  // Read before any connection is opened: a setting git-lfs would refuse ends the audit with nothing to close.
  const retry = await gitRetryPolicy(gitHooks);
  const connections = openConnections(await gitTrust(gitHooks), await transferProxies(source.endpoint, { ...gitHooks, ...(hooks.onSecret ? { onSecret: hooks.onSecret } : {}) }));
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
        found.set(action.oid, await sizeOnServer(action, sizeOf.get(action.oid) ?? action.size, connections, retry, hooks.signal));
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
