/**
 * One LFS object, read from the server once and hashed while it is written: the bytes go to a temp
 * file beside their place in the work tree and are renamed over the pointer when size and sha256
 * match. A dropped connection resumes with a Range request (bounded retries with backoff), then fails
 * naming the object, the bytes received and the server's last answer.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { DrillError } from '../../core/model.js';
import { placeOverPointer } from './place.js';
import { redactUrl } from '../redact.js';
import { sleep, type DownloadAction } from './batch.js';
import { request, type Trust } from './http-client.js';

export interface Landed {
  readonly oid: string;
  readonly size: number;
  /** sha256 of the bytes as they were written. */
  readonly sha256: string;
  /** How many times the transfer had to resume. */
  readonly resumed: number;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  readonly onBytes?: (delta: number) => void;
  readonly trust?: Trust;
  readonly retries?: number;
  readonly backoffMs?: number;
}

interface Progress {
  handle: FileHandle;
  hash: Hash;
  received: number;
}

async function restart(temp: string, state: Progress | undefined, onBytes?: (delta: number) => void): Promise<Progress> {
  if (state) {
    onBytes?.(-state.received);
    await state.handle.close();
  }
  return { handle: await open(temp, 'w'), hash: createHash('sha256'), received: 0 };
}

/**
 * The body goes to disk through a few buffers of our own, each written whole while the next fills.
 * Writing each 64 KiB socket chunk as it comes (awaited) is 8,192 round trips to libuv's pool for
 * 512 MiB; holding the chunks until a large write is done keeps them alive long enough to reach V8's
 * old space, and the drill then spends as long in mark-compact as in SHA-256. Copying into reused
 * buffers lets every chunk die young. Measured on 512 MiB over loopback: see README, Benchmarks.
 */
const WRITE_BATCH = 2 * 1024 * 1024;
const WRITE_BUFFERS = 3;

interface Slot {
  readonly buffer: Buffer;
  busy: Promise<void> | undefined;
}

/**
 * Streams one answer's body into the file from `state.received` on: each chunk hashed as it arrives,
 * copied into the buffer being filled, and every full buffer written at its own offset while the
 * next one fills (the socket waits when none is free). Returns only once every byte received is on
 * disk, so a resume starts exactly where this stopped.
 */
async function drain(response: IncomingMessage, state: Progress, dest: string, options: DownloadOptions): Promise<void> {
  const slots: Slot[] = Array.from({ length: WRITE_BUFFERS }, () => ({ buffer: Buffer.allocUnsafeSlow(WRITE_BATCH), busy: undefined }));
  let current = 0;
  let filled = 0;
  let offset = state.received;
  let writeError: NodeJS.ErrnoException | undefined;
  const flush = () => {
    if (filled === 0) return;
    const slot = slots[current]!;
    slot.busy = state.handle.write(slot.buffer, 0, filled, offset).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => {
        writeError ??= error;
      },
    );
    offset += filled;
    filled = 0;
    current = (current + 1) % slots.length;
  };
  let lost: unknown;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      state.hash.update(chunk);
      state.received += chunk.length;
      options.onBytes?.(chunk.length);
      for (let at = 0; at < chunk.length && !writeError; ) {
        const slot = slots[current]!;
        if (slot.busy) {
          await slot.busy;
          slot.busy = undefined;
        }
        const copied = chunk.copy(slot.buffer, filled, at);
        filled += copied;
        at += copied;
        if (filled === WRITE_BATCH) flush();
      }
      if (writeError) break;
    }
  } catch (error) {
    lost = error;
  }
  flush();
  await Promise.all(slots.map((slot) => slot.busy));
  if (writeError) {
    response.destroy();
    const hint = writeError.code === 'ENOSPC' ? "free space on the workspace's filesystem, or point --workdir at a larger one" : "check the workspace's filesystem";
    throw new DrillError(`writing ${dest}: ${writeError.code ?? writeError.message}`, { hint });
  }
  if (lost || !response.complete) throw lost instanceof Error ? lost : new Error('the connection closed before the object ended');
}

/** Reads one answer's body into the file; returns the HTTP status it came with. */
async function receive(action: DownloadAction, state: Progress, dest: string, options: DownloadOptions): Promise<{ status: number; complete: boolean }> {
  const headers: Record<string, string> = { ...action.header };
  if (state.received > 0) headers['range'] = `bytes=${state.received}-`;
  const response = await request(action.href, { headers, ...(options.signal ? { signal: options.signal } : {}), ...(options.trust ? { trust: options.trust } : {}) });
  const status = response.statusCode ?? 0;
  if ((state.received > 0 && status === 200) || (status !== 200 && status !== 206)) {
    // Not a body to keep (or the server ignored the Range and starts at byte 0 again).
    response.resume();
    return { status, complete: false };
  }
  await drain(response, state, dest, options);
  return { status, complete: true };
}

export async function downloadObject(action: DownloadAction, dest: string, options: DownloadOptions = {}): Promise<Landed> {
  const temp = `${dest}.whisper-drill-part`;
  const retries = options.retries ?? 5;
  let state = await restart(temp, undefined);
  let resumed = 0;
  let lastAnswer = 'no answer';
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { status, complete } = await receive(action, state, dest, options);
        lastAnswer = `HTTP ${status}`;
        if (complete && state.received >= action.size) break;
        if (status === 200 && !complete) state = await restart(temp, state, options.onBytes);
        else if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new DrillError(objectFailure(action, state.received, lastAnswer), { hint: hintFor(status) });
      } catch (error) {
        if (options.signal?.aborted || error instanceof DrillError) throw error;
        lastAnswer = `connection lost: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`;
      }
      if (attempt >= retries) throw new DrillError(objectFailure(action, state.received, lastAnswer), { hint: 'the transfer kept failing: check the network or the LFS server, then drill again' });
      resumed += 1;
      await sleep((options.backoffMs ?? 250) * 2 ** attempt, options.signal);
    }
    await state.handle.close();
    const sha256 = state.hash.digest('hex');
    if (state.received === action.size && sha256 === action.oid) await placeOverPointer(temp, dest);
    else await rm(temp, { force: true });
    return { oid: action.oid, size: state.received, sha256, resumed };
  } catch (error) {
    await state.handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
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
