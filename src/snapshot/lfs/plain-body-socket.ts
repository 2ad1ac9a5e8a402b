/**
 * The one piece of the transfer's HTTP that is still our own: a plain body (a 200 or 206 with one
 * Content-Length, the usual answer of object storage) read over a socket of the transfer's own,
 * whose bytes are decrypted straight into the ring's blocks (`onread`): no buffer per TLS record,
 * no copy. Only the answer's head is parsed here (status line and header fields, RFC 9112 §4–5);
 * anything else — a chunked body, no length, a head this does not take as plain, a proxy — goes to
 * undici (./object-get.ts). Redirects and 1xx answers are followed here as they come.
 *
 * Why it stays (docs/benchmarks.md, "The transfer on undici"): on these 2-core machines, 3 GiB over
 * HTTPS through undici's dispatcher took 6.8–6.9 s and 9.1 s of CPU — a 16 KiB buffer per TLS record,
 * then a copy into the blocks — against 4.6–5.0 s and 5.3 s read here; the bench's target for 3 GiB
 * (≤ 1.0× the floor) and its RSS limit (200 MB) held only with this reader.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { tlsFailure } from '../trust.js';
import type { BlockRing } from './block-ring.js';
import { IDLE_MS, headersFor } from './http-client.js';
import { settleAfterRing, tooManyRedirects, type BodyAnswer, type GetOptions } from './body-answer.js';

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
  for (const [name, value] of Object.entries(headersFor(url, headers))) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    lines.push(`${name}: ${value}`);
  }
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export type SocketAnswer = BodyAnswer | 'fallback' | { readonly redirect: string };

/**
 * The socket path: the answer; a redirect to follow; or 'fallback' when the head is not a plain body
 * (chunked, no length), which undici then asks for again (./object-get.ts).
 */
export function socketGet(url: URL, headers: Readonly<Record<string, string>>, ring: BlockRing, options: GetOptions): Promise<SocketAnswer> {
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
      settleAfterRing(ring, body !== undefined, outcome, resolve, reject);
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
      if (parsed.status >= 300 && parsed.status < 400 && location) return finish(() => tooManyRedirects(url, location));
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

