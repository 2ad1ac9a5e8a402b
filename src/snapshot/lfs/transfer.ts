/**
 * Restores every LFS file of the checked-out tag in place: each object is read once from its source
 * (the repository's store, or the LFS server through the Batch API, several at a time) and hashed
 * while it is written over its pointer. Files that share an object get a copy of the first.
 */
import { copyFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessRunner } from '../../adapters/run.js';
import type { LfsPointer } from '../pointers.js';
import type { Credentials } from '../remote.js';
import { requestBatch, type DownloadAction } from './batch.js';
import { downloadObject, type Landed } from './download.js';
import { gitRetryPolicy } from './retry-policy.js';
import { pool } from '../../model/pool.js';
import type { LfsSource } from './endpoint.js';
import { copyStoredObject, objectStore } from './file-store.js';
import { keptObjects } from './kept-objects.js';
import { httpAuth } from './http-auth.js';
import { gitTrust } from '../trust.js';
import { openConnections } from './http-client.js';
import { transferProxies } from './proxy.js';

export interface TransferOptions {
  readonly workdir: string;
  readonly source: LfsSource;
  readonly credentials?: Credentials;
  /** Objects transferred at once from a server. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly runner?: ProcessRunner;
  readonly env?: Readonly<Record<string, string>>;
  /** Bytes landed so far, all objects together. */
  readonly onBytes?: (total: number) => void;
  readonly onSecret?: (secret: string) => void;
  /**
   * --resume: objects a killed drill already placed are re-hashed and kept when they match; a partial
   * download goes on from its kept blocks.
   */
  readonly resume?: boolean;
}

export interface TransferResult {
  /** What landed for each object: the sha256 of the bytes written. */
  readonly landed: ReadonlyMap<string, Landed>;
  /** Objects the source does not have (or refused), with its words. */
  readonly missing: ReadonlyArray<{ oid: string; message: string }>;
}

export async function restoreLfsObjects(pointers: readonly LfsPointer[], options: TransferOptions): Promise<TransferResult> {
  const byOid = new Map<string, LfsPointer[]>();
  for (const pointer of pointers) byOid.set(pointer.oid, [...(byOid.get(pointer.oid) ?? []), pointer]);
  const objects = [...byOid.values()].map((group) => group[0]!);
  const landed = new Map<string, Landed>();
  const missing: Array<{ oid: string; message: string }> = [];
  let total = 0;
  const onBytes = (delta: number) => {
    total += delta;
    options.onBytes?.(total);
  };
  const dest = (pointer: LfsPointer) => path.join(options.workdir, pointer.path);
  if (options.resume) {
    for (const [oid, kept] of await keptObjects(objects, dest, options.signal, onBytes)) landed.set(oid, kept);
  }
  const toFetch = objects.filter((object) => !landed.has(object.oid));

  if (options.source.kind === 'store') {
    const store = objectStore(options.source.repoDir);
    await pool(toFetch, 2, async (object) => {
      const result = await copyStoredObject(store, object, dest(object), { ...(options.signal ? { signal: options.signal } : {}), onBytes });
      if (result) landed.set(object.oid, result);
      else missing.push({ oid: object.oid, message: `not in ${store}` });
    });
  } else if (toFetch.length > 0) {
    const { endpoint, header } = options.source;
    const auth = httpAuth(endpoint, { ...(options.credentials ? { explicit: options.credentials } : {}), runner: options.runner, ...(options.env ? { env: options.env } : {}), onSecret: options.onSecret });
    const hooks = { runner: options.runner, ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    // Over HTTPS, the CA list git trusts; through the proxy git would take (http.proxy, https_proxy, no_proxy).
    // Retried as git-lfs is told to (lfs.transfer.maxretries, lfs.transfer.maxretrydelay); read before any
    // connection is opened, so that a setting it refuses leaves nothing to close.
    const retry = await gitRetryPolicy(hooks);
    const connections = openConnections(await gitTrust(hooks), await transferProxies(endpoint, { ...hooks, onSecret: options.onSecret }));
    try {
      const answer = await requestBatch(toFetch, { endpoint, header, auth, connections, retry, ...(options.signal ? { signal: options.signal } : {}) });
      missing.push(...answer.refused.map((r) => ({ oid: r.oid, message: `the server answered ${r.code}: ${r.message}` })));
      // Object storage may have a proxy of its own in git's config (http.<url>.proxy).
      await connections.proxies.prepare?.(answer.actions.map((action) => action.href));
      const pointerOf = new Map(toFetch.map((o) => [o.oid, o]));
      await pool(answer.actions, options.concurrency ?? 4, async (action: DownloadAction) => {
        const pointer = pointerOf.get(action.oid);
        if (!pointer) return;
        landed.set(action.oid, await downloadObject(action, dest(pointer), { ...(options.signal ? { signal: options.signal } : {}), connections, retry, onBytes, ...(options.resume ? { resumePartial: true } : {}) }));
      });
    } finally {
      connections.close();
    }
  }
  // The same content at several paths: one transfer, then local copies.
  for (const [oid, group] of byOid) {
    const first = landed.get(oid);
    if (!first || first.sha256 !== oid) continue;
    for (const other of group.slice(1)) {
      const temp = `${dest(other)}.whisper-drill-part`;
      await copyFile(dest(group[0]!), temp);
      await rename(temp, dest(other));
    }
  }
  return { landed, missing };
}
