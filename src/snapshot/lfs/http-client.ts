/**
 * The HTTP(S) client of the LFS transfer: node:http(s), whose streams hand over large buffers
 * directly (fetch's web streams cost several times the CPU per byte on the hot path of a restore).
 * Over HTTPS it checks certificates against the CA list git trusts (../trust.ts).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { tlsFailure, type Trust } from '../trust.js';

/** The CA list and the connections made with it, for one transfer: close() when it is done. */
export interface Tls {
  readonly trust: Trust;
  readonly agent: https.Agent | undefined;
  close(): void;
}

/**
 * One agent per transfer: the CA list is parsed once, and the Batch request's connection is kept
 * for the downloads. Closed at the end, so that a later drill in the same process (a test, the
 * benchmark) starts with connections of its own, as a drill from the command line does.
 */
export function openTls(trust: Trust): Tls {
  const agent = trust.ca ? new https.Agent({ ca: trust.ca, keepAlive: true }) : undefined;
  return { trust, agent, close: () => agent?.destroy() };
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly tls?: Tls;
  /** Redirects to follow (GET only); a redirect to another host keeps the headers, as git-lfs does. */
  readonly redirects?: number;
}

export function request(href: string, options: RequestOptions = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(href);
    const secure = url.protocol === 'https:';
    const agent = secure ? options.tls?.agent : undefined;
    const headers = { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) };
    const sent = (secure ? https : http).request(url, { method: options.method ?? 'GET', headers, ...(agent ? { agent } : {}), ...(options.signal ? { signal: options.signal } : {}) }, (response) => {
      const location = response.headers.location;
      const redirects = options.redirects ?? 3;
      if (location && response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && redirects > 0 && (options.method ?? 'GET') === 'GET') {
        response.resume();
        resolve(request(new URL(location, url).toString(), { ...options, redirects: redirects - 1 }));
        return;
      }
      resolve(response);
    });
    sent.on('error', (error) => reject(tlsFailure(error, href, options.tls?.trust) ?? error));
    sent.end(options.body);
  });
}

/** The whole body as text (for small answers: the Batch API's JSON, an error page). */
export async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
