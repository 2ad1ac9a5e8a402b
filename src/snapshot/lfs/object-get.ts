/**
 * GET one object's body into a BlockRing. The usual answer of object storage (200 or 206 with a
 * Content-Length) is read over a socket of the transfer's own, whose bytes are decrypted straight
 * into the ring's blocks (`onread`), redirects followed the same way; a chunked body, or a request
 * through a proxy, goes through node:http, whose chunks are copied in (a chunked body is then asked
 * for a second time: it costs a request, and single-use links with chunked bodies are not known).
 *
 * Why a socket of our own: node:http hands each 16 KiB TLS record to JavaScript as a new buffer
 * through a Readable stream; for 512 MiB over HTTPS on loopback that was 1.3 s of the drill's CPU
 * against 0.7 s read into the blocks, SHA-256 included (docs/benchmarks.md). Only the answer's head
 * is parsed here (status line and header fields, RFC 9112 §4–5); a head this does not take as a
 * plain body falls back to node:http.
 */
import { validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { BlockRing } from './block-ring.js';
import { IDLE_MS, redirectTarget, request, type Connections } from './http-client.js';
import { tlsFailure } from '../trust.js';

export interface BodyAnswer {
  readonly status: number;
  /** The body went into the ring (the status was one to keep). */
  readonly kept: boolean;
  /** Every byte the answer announced arrived. */
  readonly complete: boolean;
}

export interface GetOptions {
  /** Whether a body that comes with this status (and Content-Range, for a 206) is the object's. */
  readonly keep: (status: number, contentRange: string | undefined) => boolean;
  readonly connections?: Connections;
  readonly signal?: AbortSignal;
  /** A connection that delivers nothing for this long is given up (then resumed). Default 60 s. */
  readonly idleMs?: number;
  /** Redirects still to follow. */
  readonly redirects?: number;
}

/** No object storage sends a head this large (node:http refuses one past 16 KiB). */
const HEAD_BYTES = 64 * 1024;

interface Head {
  readonly status: number;
  readonly fields: ReadonlyMap<string, string[]>;
}

/** The status line and header fields of an answer (RFC 9112 §4–5), or undefined if they are not HTTP/1.x. */
export function parseHead(text: string): Head | undefined {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!status) return undefined;
  const fields = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    // A bare CR or LF inside a line could hide a field (a Transfer-Encoding): not a head to trust.
    if (colon <= 0 || /\s/.test(line[colon - 1]!) || /[\r\n]/.test(line)) return undefined;
    const name = line.slice(0, colon).toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(status[1]), fields };
}

/** The length of a plain body, or undefined when the answer is not one (chunked, no or conflicting length). */
export function plainLength(head: Head): number | undefined {
  if (head.fields.has('transfer-encoding')) return undefined;
  const lengths = new Set((head.fields.get('content-length') ?? []).flatMap((value) => value.split(',').map((v) => v.trim())));
  const [length] = lengths;
  return lengths.size === 1 && /^\d+$/.test(length!) ? Number(length) : undefined;
}

function requestText(url: URL, headers: Readonly<Record<string, string>>): string {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  const all: Record<string, string> = { ...headers };
  // Credentials in the link itself go as Basic auth, as node:http (and git-lfs) send them.
  if ((url.username || url.password) && !Object.keys(all).some((name) => name.toLowerCase() === 'authorization')) {
    all['Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  for (const [name, value] of Object.entries(all)) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    lines.push(`${name}: ${value}`);
  }
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

type SocketAnswer = BodyAnswer | 'fallback' | { readonly redirect: string };

/**
 * The socket path: the answer; a redirect to follow; or 'fallback' when the head is not a plain body
 * (chunked, no length), which node:http then asks for again.
 */
function socketGet(url: URL, headers: Readonly<Record<string, string>>, ring: BlockRing, options: GetOptions): Promise<SocketAnswer> {
  return new Promise((resolve, reject) => {
    const text = requestText(url, headers);
    const secure = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (secure ? 443 : 80);
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    /** Where reads go once the answer is settled (the socket may still deliver what it decrypted). */
    const scratch = Buffer.allocUnsafe(16 * 1024);
    let headLength = 0;
    let body: { status: number; remaining: number } | undefined;
    let settled = false;
    let lost: Error | undefined;

    const finish = (outcome: () => SocketAnswer | Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      socket.destroy();
      // Once the body has begun, nothing returns before every byte taken is written and hashed.
      void (body ? ring.settle() : Promise.resolve()).then(() => {
        const result = outcome();
        if (result instanceof Error) reject(result);
        else resolve(result);
      }, reject);
    };

    /** A complete head ends at `end`: what follows it is the body (or the next head, after a 1xx). */
    const onHead = (end: number): void => {
      const parsed = parseHead(head.toString('latin1', 0, end));
      if (!parsed) return finish(() => 'fallback');
      const rest = head.subarray(end + 4, headLength);
      if (parsed.status >= 100 && parsed.status < 200) {
        // 100 Continue, 103 Early Hints: informational, no body; the answer's own head follows.
        headLength = rest.copy(head);
        const next = head.subarray(0, headLength).indexOf('\r\n\r\n');
        return next >= 0 ? onHead(next) : undefined;
      }
      const location = parsed.fields.get('location')?.[0];
      if (parsed.status >= 300 && parsed.status < 400 && location && (options.redirects ?? 3) > 0) {
        return finish(() => ({ redirect: location }));
      }
      if (!options.keep(parsed.status, parsed.fields.get('content-range')?.[0])) return finish(() => ({ status: parsed.status, kept: false, complete: false }));
      const length = plainLength(parsed);
      if (length === undefined) return finish(() => 'fallback');
      body = { status: parsed.status, remaining: length };
      if (length === 0) return finish(() => ({ status: parsed.status, kept: true, complete: true }));
      take(rest.subarray(0, Math.min(rest.length, length)), (bytes) => ring.put(bytes));
    };

    const take = (bytes: Buffer, into: (bytes: Buffer) => void) => {
      into(bytes);
      body!.remaining -= bytes.length;
      if (body!.remaining === 0 || ring.failed) finish(() => ({ status: body!.status, kept: true, complete: body!.remaining === 0 }));
    };

    const socketOptions = {
      host,
      port,
      onread: {
        // Never a buffer of 0 bytes: TLS would copy 0 bytes into it, again and again, until the socket closes.
        buffer: () => (settled ? scratch : body ? ring.view() : head.subarray(headLength)),
        callback: (length: number, buffer: Uint8Array): boolean => {
          if (settled) return false;
          if (!body) {
            const from = Math.max(0, headLength - 3);
            headLength += length;
            const end = head.subarray(0, headLength).indexOf('\r\n\r\n', from);
            if (end >= 0) onHead(end);
            else if (headLength === HEAD_BYTES) finish(() => new Error(`the answer's head from ${url.host} is larger than ${HEAD_BYTES / 1024} KiB`));
            return !settled;
          }
          const view = buffer as Buffer;
          take(view.subarray(0, Math.min(length, body.remaining)), (bytes) => ring.landed(view, bytes.length));
          if (settled || !ring.backlogged) return !settled;
          void ring.room().then(() => !settled && socket.resume());
          return false;
        },
      },
    };
    const socket = secure
      ? tls.connect({ ...socketOptions, ...(net.isIP(host) ? {} : { servername: host }), ...(options.connections?.trust.ca ? { ca: options.connections.trust.ca } : {}) })
      : net.connect(socketOptions);
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(text));
    const idleMs = options.idleMs ?? IDLE_MS;
    socket.setTimeout(idleMs, () => socket.destroy(new Error(`no data from ${url.host} for ${idleMs / 1000} s`)));
    socket.on('error', (error) => {
      lost ??= error;
      finish(() => (body ? lost! : (tlsFailure(error, url.href, options.connections?.trust) ?? lost!)));
    });
    socket.on('close', () =>
      finish(() => lost ?? (body ? new Error('the connection closed before the object ended') : new Error('the connection closed before an answer'))),
    );
    const abort = () => socket.destroy(options.signal!.reason as Error);
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The node:http path: redirects followed, any framing; each chunk copied into the ring. */
async function streamGet(href: string, headers: Readonly<Record<string, string>>, ring: BlockRing, options: GetOptions): Promise<BodyAnswer> {
  const response: IncomingMessage = await request(href, {
    headers,
    redirects: options.redirects ?? 3,
    idleMs: options.idleMs ?? IDLE_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.connections ? { connections: options.connections } : {}),
  });
  const status = response.statusCode ?? 0;
  if (!options.keep(status, response.headers['content-range'])) {
    response.resume();
    return { status, kept: false, complete: false };
  }
  let lost: unknown;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      ring.put(chunk);
      if (ring.failed) break;
      if (ring.backlogged) await ring.room();
    }
  } catch (error) {
    lost = error;
  }
  await ring.settle();
  if (ring.failed) {
    response.destroy();
    return { status, kept: true, complete: false };
  }
  if (lost || !response.complete) throw lost instanceof Error ? lost : new Error('the connection closed before the object ended');
  return { status, kept: true, complete: true };
}

/**
 * GETs `href` into `ring`. Resolves with the status once every byte taken is written and hashed;
 * rejects when the connection fails (then too, after the ring has settled: a resume starts exactly
 * at `ring.received`).
 */
export async function getBody(href: string, headers: Readonly<Record<string, string>>, ring: BlockRing, options: GetOptions): Promise<BodyAnswer> {
  const url = new URL(href);
  // Through a proxy, node:http and the proxy's agent (a CONNECT tunnel) carry it.
  const own = (url.protocol === 'https:' || url.protocol === 'http:') && !options.connections?.proxies.forUrl(url);
  const answer = own ? await socketGet(url, headers, ring, options) : 'fallback';
  if (answer === 'fallback') return streamGet(href, headers, ring, options);
  if ('redirect' in answer) {
    const next = redirectTarget(url, answer.redirect, headers);
    return getBody(next.url.href, next.headers, ring, { ...options, redirects: (options.redirects ?? 3) - 1 });
  }
  return answer;
}
