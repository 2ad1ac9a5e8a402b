/**
 * One LFS object, read from the server once and hashed while it is written: the bytes go to a temp
 * file beside their place in the work tree, which takes the pointer's place when size and sha256
 * match. A dropped connection resumes with a Range request (bounded retries with backoff), then fails
 * naming the object, the bytes received and the server's last answer.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { DrillError } from '../../core/model.js';
import { placeOverPointer } from './place.js';
import { redactUrl } from '../redact.js';
import { sleep, type DownloadAction } from './batch.js';
import { request, type Tls } from './http-client.js';
import { openBlockHash, type Sha256 } from './sha256.js';

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
  readonly tls?: Tls;
  readonly retries?: number;
  readonly backoffMs?: number;
}

/**
 * The body goes to disk through a few blocks of memory of our own, each written whole (and hashed)
 * while the next fills. Measured on 512 MiB over loopback (README, Benchmarks): writing each socket
 * chunk as it came, awaited, was 8,192 round trips to libuv's pool (32,768 over TLS, whose records
 * are 16 KiB); holding the chunks until a large write was done kept them alive into V8's old space,
 * and the drill then spent as long in mark-compact as in SHA-256. Copied into reused blocks, every
 * chunk dies young.
 */
const BLOCK = 2 * 1024 * 1024;
const BLOCKS = 3;

interface Block {
  readonly buffer: Buffer;
  /** Its write and its hashing, while they run. */
  busy: Promise<void> | undefined;
}

interface Progress {
  handle: FileHandle;
  readonly hash: Sha256;
  readonly blocks: Block[];
  received: number;
}

async function start(temp: string, size: number): Promise<Progress> {
  const { hash, blocks } = openBlockHash(size, BLOCKS, BLOCK);
  return { handle: await open(temp, 'w'), hash, blocks: blocks.map((buffer) => ({ buffer, busy: undefined })), received: 0 };
}

/** The server sent the whole object again: start the file and the hash over. */
async function restart(temp: string, state: Progress, onBytes?: (delta: number) => void): Promise<void> {
  onBytes?.(-state.received);
  await state.handle.close();
  state.handle = await open(temp, 'w');
  state.hash.reset();
  state.received = 0;
}

/**
 * Streams one answer's body into the file from `state.received` on. Returns only once every byte
 * received is written and hashed, so a resume starts exactly where this stopped.
 */
async function drain(response: IncomingMessage, state: Progress, dest: string, options: DownloadOptions): Promise<void> {
  const { blocks } = state;
  let current = 0;
  let filled = 0;
  let offset = state.received;
  let writeError: NodeJS.ErrnoException | undefined;
  let hashError: Error | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (filled === 0) return;
    const block = blocks[current]!;
    const [length, at] = [filled, offset];
    // One write at a time, in order: concurrent writers of one file only queue on its inode lock.
    const written = (writing = writing.then(() =>
      state.handle.write(block.buffer, 0, length, at).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => void (writeError ??= error),
      ),
    ));
    const hashed = state.hash.update(block.buffer, length).catch((error: Error) => void (hashError ??= error));
    block.busy = Promise.all([written, hashed]).then(() => undefined);
    offset += filled;
    filled = 0;
    current = (current + 1) % blocks.length;
  };
  let lost: unknown;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      state.received += chunk.length;
      options.onBytes?.(chunk.length);
      for (let at = 0; at < chunk.length && !writeError; ) {
        const block = blocks[current]!;
        if (block.busy) {
          await block.busy;
          block.busy = undefined;
        }
        const copied = chunk.copy(block.buffer, filled, at);
        filled += copied;
        at += copied;
        if (filled === BLOCK) flush();
      }
      if (writeError) break;
    }
  } catch (error) {
    lost = error;
  }
  flush();
  await Promise.all(blocks.map((block) => block.busy));
  for (const block of blocks) block.busy = undefined;
  if (writeError) {
    response.destroy();
    const hint = writeError.code === 'ENOSPC' ? "free space on the workspace's filesystem, or point --workdir at a larger one" : "check the workspace's filesystem";
    throw new DrillError(`writing ${dest}: ${writeError.code ?? writeError.message}`, { hint });
  }
  if (hashError) throw new DrillError(`hashing ${dest}: ${hashError.message}`);
  if (lost || !response.complete) throw lost instanceof Error ? lost : new Error('the connection closed before the object ended');
}

/** Reads one answer's body into the file; returns the HTTP status it came with. */
async function receive(action: DownloadAction, state: Progress, dest: string, options: DownloadOptions): Promise<{ status: number; complete: boolean }> {
  const headers: Record<string, string> = { ...action.header };
  if (state.received > 0) headers['range'] = `bytes=${state.received}-`;
  const response = await request(action.href, { headers, ...(options.signal ? { signal: options.signal } : {}), ...(options.tls ? { tls: options.tls } : {}) });
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
  const state = await start(temp, action.size);
  let resumed = 0;
  let lastAnswer = 'no answer';
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { status, complete } = await receive(action, state, dest, options);
        lastAnswer = `HTTP ${status}`;
        if (complete && state.received >= action.size) break;
        if (status === 200 && !complete) await restart(temp, state, options.onBytes);
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
    const sha256 = await state.hash.digest();
    if (state.received === action.size && sha256 === action.oid) await placeOverPointer(temp, dest);
    else await rm(temp, { force: true });
    return { oid: action.oid, size: state.received, sha256, resumed };
  } catch (error) {
    await state.handle.close().catch(() => undefined);
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
