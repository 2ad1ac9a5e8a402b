/**
 * One LFS object, read from the server once and hashed while it is written: the bytes go to a temp
 * file beside their place in the work tree and are renamed over the pointer when size and sha256
 * match. A dropped connection resumes with a Range request (bounded retries with backoff), then fails
 * naming the object, the bytes received and the server's last answer.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { DrillError } from '../../core/model.js';
import { redactUrl } from '../redact.js';
import { sleep, type DownloadAction } from './batch.js';

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
 * GET with node:http(s), following a few redirects. Its streams hand over large buffers directly;
 * fetch's web streams cost several times the CPU per byte here, and this is the hot path of a restore.
 */
function get(href: string, headers: Record<string, string>, signal?: AbortSignal, redirects = 3): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(href);
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers, ...(signal ? { signal } : {}) }, (response) => {
      const location = response.headers.location;
      if (location && response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && redirects > 0) {
        response.resume();
        // A redirect to another host (object storage) keeps the action's headers, as git-lfs does.
        resolve(get(new URL(location, url).toString(), headers, signal, redirects - 1));
        return;
      }
      resolve(response);
    });
    request.on('error', reject);
  });
}

/** Reads one answer's body into the file; returns the HTTP status it came with. */
async function receive(action: DownloadAction, state: Progress, options: DownloadOptions): Promise<{ status: number; complete: boolean }> {
  const headers: Record<string, string> = { ...action.header };
  if (state.received > 0) headers['range'] = `bytes=${state.received}-`;
  const response = await get(action.href, headers, options.signal);
  const status = response.statusCode ?? 0;
  if ((state.received > 0 && status === 200) || (status !== 200 && status !== 206)) {
    // Not a body to keep (or the server ignored the Range and starts at byte 0 again).
    response.resume();
    return { status, complete: false };
  }
  let ended = true;
  response.once('aborted', () => (ended = false));
  for await (const chunk of response as AsyncIterable<Buffer>) {
    // The write runs on libuv's threads while this thread hashes the same bytes.
    const written = state.handle.write(chunk);
    state.hash.update(chunk);
    await written;
    state.received += chunk.length;
    options.onBytes?.(chunk.length);
  }
  if (!ended || !response.complete) throw new Error('the connection closed before the object ended');
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
        const { status, complete } = await receive(action, state, options);
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
    if (state.received === action.size && sha256 === action.oid) await rename(temp, dest);
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
