/**
 * One LFS object, read from the server once and hashed while it is written: the bytes go to a temp
 * file beside their place in the work tree, which takes the pointer's place when size and sha256
 * match. A dropped connection resumes with a Range request (bounded retries with backoff), then fails
 * naming the object, the bytes received and the server's last answer.
 */
import { open, rm, stat, truncate } from 'node:fs/promises';
import { DrillError } from '../../model/errors.js';
import { placeOverPointer } from './place.js';
import { redactUrl } from '../../model/redact.js';
import { sleep } from '../../model/sleep.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry-policy.js';
import type { DownloadAction } from './batch.js';
import { BlockRing } from './block-ring.js';
import type { Connections } from './http-client.js';
import { getBody } from './object-get.js';
import { openObjectFile, type ObjectFile } from './object-file.js';
import { openBlockHash, type Sha256 } from './sha256.js';

export interface Landed {
  readonly oid: string;
  readonly size: number;
  /** sha256 of the bytes as they were written. */
  readonly sha256: string;
  /** How many times the transfer had to resume. */
  readonly resumed: number;
  /** Bytes a killed drill had already written (re-hashed, kept, not fetched again): --resume. */
  readonly keptBytes?: number;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  readonly onBytes?: (delta: number) => void;
  readonly connections?: Connections;
  /** Default: 5 retries, a quarter second doubling up to 4 s (./retry-policy.ts). */
  readonly retry?: RetryPolicy;
  /** --resume: a partial file a killed drill left is gone on from (its whole blocks, re-hashed), not fetched again. */
  readonly resumePartial?: boolean;
}

/**
 * The body lands in three blocks of 2 MiB (./block-ring.ts), each written whole at its own offset
 * (./object-file.ts) and hashed while the next fills. Measured on 512 MiB over loopback (docs/benchmarks.md):
 * writing each socket chunk as it came, awaited, was 8,192 round trips to libuv's pool
 * (32,768 over TLS, whose records are 16 KiB); holding the chunks until a large write was done kept
 * them alive into V8's old space, and the drill then spent as long in mark-compact as in SHA-256.
 */
const BLOCK = 2 * 1024 * 1024;
const BLOCKS = 3;

interface Progress {
  readonly file: ObjectFile;
  readonly hash: Sha256;
  readonly ring: BlockRing;
}

/**
 * The whole blocks of a partial file a killed drill left (the ring writes blocks in order, so the file's
 * size says how many landed), short of the object's last block: what a resumed download keeps.
 */
async function partialPrefix(temp: string, size: number): Promise<number> {
  const info = await stat(temp).catch(() => undefined);
  if (!info?.isFile()) return 0;
  return Math.min(Math.floor(info.size / BLOCK), Math.floor(Math.max(0, size - 1) / BLOCK)) * BLOCK;
}

/** The kept prefix read again and hashed through the ring's own blocks (the hash may be on a thread that reads only them). */
async function hashPrefix(temp: string, prefix: number, block: Buffer, hash: Sha256): Promise<void> {
  const handle = await open(temp, 'r');
  try {
    for (let at = 0; at < prefix; ) {
      const { bytesRead } = await handle.read(block, 0, Math.min(BLOCK, prefix - at), at);
      if (bytesRead === 0) throw new Error(`${temp} ended at byte ${at} while it was read again`);
      await hash.update(block, bytesRead);
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function start(temp: string, size: number, onBytes?: (delta: number) => void, keep = 0): Promise<Progress> {
  const { hash, blocks } = openBlockHash(size, BLOCKS, BLOCK);
  try {
    if (keep > 0) {
      await truncate(temp, keep);
      await hashPrefix(temp, keep, blocks[0]!, hash);
    }
    const file = await openObjectFile(temp, size, keep > 0);
    const ring = new BlockRing(blocks, { write: (block, length, at) => file.write(block, length, at), hash }, onBytes);
    if (keep > 0) ring.skip(keep);
    return { file, hash, ring };
  } catch (error) {
    await hash.close();
    throw error;
  }
}

/** Reads one answer's body into the file; returns the HTTP status it came with. */
async function receive(action: DownloadAction, state: Progress, dest: string, options: DownloadOptions): Promise<{ status: number; complete: boolean; answer: string }> {
  const { ring } = state;
  const headers: Record<string, string> = { ...action.header };
  if (ring.received > 0) headers['range'] = `bytes=${ring.received}-`;
  // A body to keep: the whole object, or the rest of it from exactly where this stopped (a server
  // that ignores the Range starts at byte 0 again, with a 200).
  const from = ring.received;
  let said = '';
  const keep = (status: number, contentRange: string | undefined) => {
    if (status === 200) return from === 0;
    if (status !== 206) return false;
    const start = /^bytes (\d+)-/.exec(contentRange ?? '')?.[1];
    const right = start === undefined ? from === 0 : Number(start) === from;
    if (!right) said = `HTTP 206 from byte ${start ?? '?'}, not ${from} (Content-Range: ${contentRange ?? 'none'})`;
    return right;
  };
  let answer: { status: number; kept: boolean; complete: boolean } | undefined;
  let lost: unknown;
  try {
    answer = await getBody(action.href, headers, ring, {
      keep,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.connections ? { connections: options.connections } : {}),
      ...(options.retry?.idleMs ? { idleMs: options.retry.idleMs } : {}),
    });
  } catch (error) {
    lost = error;
  }
  if (ring.writeError) {
    const { writeError } = ring;
    const hint = writeError.code === 'ENOSPC' ? "free space on the workspace's filesystem, or point --workdir at a larger one" : "check the workspace's filesystem";
    throw new DrillError(`writing ${dest}: ${writeError.code ?? writeError.message}`, { hint });
  }
  if (ring.hashError) throw new DrillError(`hashing ${dest}: ${ring.hashError.message}`);
  if (lost !== undefined) throw lost;
  return { status: answer!.status, complete: answer!.kept && answer!.complete, answer: said || `HTTP ${answer!.status}` };
}

export async function downloadObject(action: DownloadAction, dest: string, options: DownloadOptions = {}): Promise<Landed> {
  const temp = `${dest}.whisper-drill-part`;
  const keep = options.resumePartial ? await partialPrefix(temp, action.size) : 0;
  let landed: Landed;
  let counted = 0;
  const counting = { ...options, onBytes: (delta: number) => ((counted += delta), options.onBytes?.(delta)) };
  try {
    landed = await downloadInto(temp, keep, action, dest, counting);
  } catch (error) {
    // A server that will not go on from the kept bytes (a 416, a 206 from elsewhere): once more, from byte 0.
    if (keep === 0 || options.signal?.aborted || !(error instanceof DrillError)) throw error;
    options.onBytes?.(-counted);
    return downloadInto(temp, 0, action, dest, options);
  }
  if (keep === 0 || landed.sha256 === action.oid) return keep > 0 ? { ...landed, keptBytes: keep } : landed;
  // The kept bytes were not the object's (the whole does not match): fetched again from its first byte.
  options.onBytes?.(-landed.size);
  return downloadInto(temp, 0, action, dest, options);
}

async function downloadInto(temp: string, keep: number, action: DownloadAction, dest: string, options: DownloadOptions): Promise<Landed> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const retries = retry.retries;
  const state = await start(temp, action.size, options.onBytes, keep);
  let resumed = 0;
  let lastAnswer = 'no answer';
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { status, complete, answer } = await receive(action, state, dest, options);
        lastAnswer = answer;
        if (complete && state.ring.received >= action.size) break;
        if (status === 200 && !complete) {
          // The server ignored the Range and sent the whole object again: start the file and the hash over.
          state.ring.restart();
          await state.file.truncate();
        } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new DrillError(objectFailure(action, state.ring.received, lastAnswer), { hint: hintFor(status) });
      } catch (error) {
        if (options.signal?.aborted || error instanceof DrillError) throw error;
        lastAnswer = `connection lost: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`;
      }
      // Every byte of the object is here, though the answer did not end as it said (it announced more, or a
      // proxy closed it before its end): asking for the rest would be a Range past the end (HTTP 416). The
      // hash decides whether these are the object's bytes.
      if (state.ring.received === action.size) break;
      if (attempt >= retries) throw new DrillError(objectFailure(action, state.ring.received, lastAnswer), { hint: 'the transfer kept failing: check the network or the LFS server, then drill again' });
      resumed += 1;
      await sleep(retry.delayMs(attempt), options.signal);
    }
    await state.file.close();
    const sha256 = await state.hash.digest();
    if (state.ring.received === action.size && sha256 === action.oid) await placeOverPointer(temp, dest);
    else await rm(temp, { force: true });
    return { oid: action.oid, size: state.ring.received, sha256, resumed };
  } catch (error) {
    await state.file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  } finally {
    await state.hash.close();
  }
}

function objectFailure(action: DownloadAction, received: number, answer: string): string {
  return `LFS object ${action.oid} (${action.size} bytes): ${received} bytes received from ${redactUrl(action.href)}, then ${answer}`;
}

function hintFor(status: number): string {
  if (status === 401 || status === 403) return 'the download link refused the request: it may have expired, or its headers were not accepted';
  if (status === 404) return 'the backup is incomplete: push the objects again (git lfs push --all) or pick another tag';
  return 'see the LFS server\'s logs';
}
