/**
 * The HTTP(S) engine of the LFS transfer: undici, Node's own HTTP client, maintained with Node. Its
 * dispatcher hands each body chunk straight to a handler (./object-get.ts) with no stream in between,
 * which is what a transfer at the disk's speed needs; it parses the answers, keeps connections, and
 * goes through proxies (a CONNECT tunnel for https, requests by absolute URL for http).
 *
 * What stays ours: the CA list git trusts (../trust.ts), the proxy git would take (./proxy.ts), the
 * redirect policy of git-lfs (below), and the timers: a connection that delivers nothing for
 * `idleMs` is given up, and so is a request still waiting for its first answer (a proxy that never
 * answers its CONNECT included).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { DrillError } from '../../model/errors.js';
import { redactUrl } from '../../model/redact.js';
import { PROXY_AUTH_HINT, tlsFailure, type Trust } from '../trust.js';
import { DIRECT, type Proxies } from './proxy.js';

/** The CA list, the proxies and the connections made with them, for one transfer: close() when it is done. */
export interface Connections {
  readonly trust: Trust;
  readonly proxies: Proxies;
  /** The dispatcher for a request to `url`: through its proxy, or direct. */
  dispatcherFor(url: URL): Dispatcher;
  close(): void;
}

/** How long a request may wait for its answer's next bytes (or, through a proxy, for its tunnel). */
export const IDLE_MS = 60_000;

/**
 * One set of dispatchers per transfer: the CA list is parsed once, and the Batch request's connection
 * is kept for the downloads. Closed at the end, so that a later drill in the same process (a test, the
 * benchmark) starts with connections of its own, as a drill from the command line does.
 */
export function openConnections(trust: Trust, proxies: Proxies = DIRECT): Connections {
  const tls = trust.ca ? { ca: trust.ca } : {};
  // The timers are the requests' own (below); HTTP/1.1 only, as git-lfs speaks to LFS servers.
  const common = { headersTimeout: 0, bodyTimeout: 0, allowH2: false } as const;
  const direct = new Agent({ ...common, connect: tls });
  const viaProxy = new Map<string, ProxyAgent>();
  return {
    trust,
    proxies,
    dispatcherFor(url) {
      const proxy = proxies.forUrl(url);
      if (!proxy) return direct;
      let agent = viaProxy.get(proxy.href);
      if (!agent) {
        // The target's certificate and an https:// proxy's own are both checked against `trust`. An
        // http:// target through an http:// proxy goes by absolute URL, not a tunnel, as curl sends it.
        agent = new ProxyAgent({ ...common, uri: proxy.href, requestTls: tls, proxyTls: tls, proxyTunnel: false });
        viaProxy.set(proxy.href, agent);
      }
      return agent;
    },
    close() {
      const closing = new Error('the transfer ended');
      void direct.destroy(closing).catch(() => undefined);
      for (const agent of viaProxy.values()) void agent.destroy(closing).catch(() => undefined);
    },
  };
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly connections?: Connections;
  /** Redirects to follow (GET only): never down to http, and Authorization only to the same host (./redirectTarget). */
  readonly redirects?: number;
  /** A connection that delivers nothing for this long is given up. Default 60 s. */
  readonly idleMs?: number;
}

export interface Answer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Dispatcher.ResponseData['body'];
}

/**
 * The proxy refused to carry a request (a CONNECT answered otherwise than 200, or a 407). A 5xx is
 * the proxy failing, maybe for a moment: a plain error, which the callers retry.
 */
function proxyRefusal(proxy: URL | undefined, url: URL, status: number, reason: string): Error {
  const who = proxy ? `the proxy ${redactUrl(proxy.href)}` : 'a proxy';
  const message = `${who} refused to carry the request to ${url.host}: HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (status >= 500) return new Error(message);
  return new DrillError(message, {
    hint:
      status === 407 || status === 401
        ? PROXY_AUTH_HINT
        : `ask the proxy's administrators to let this host reach ${url.host}, or exempt it (no_proxy)`,
  });
}

/** undici's words for a CONNECT the proxy did not answer with 200. */
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/;

/**
 * What a failed request says: a refused tunnel as the proxy's refusal, a certificate failure as what
 * to trust, anything else as it is.
 */
export function requestFailure(error: unknown, url: URL, connections: Connections | undefined): unknown {
  const refused = error instanceof Error ? TUNNEL_REFUSED.exec(error.message) : null;
  if (refused) return proxyRefusal(connections?.proxies.forUrl(url), url, Number(refused[1]), '');
  return tlsFailure(error as Error, url.href, connections?.trust) ?? error;
}

/**
 * Where a redirect may lead, and with which headers (as git-lfs's client decides): never from https
 * down to http, and the Authorization header only to the same host.
 */
export function redirectTarget(from: URL, location: string, headers: Readonly<Record<string, string>> = {}): { url: URL; headers: Record<string, string> } {
  const url = new URL(location, from);
  if (from.protocol === 'https:' && url.protocol !== 'https:') {
    throw new DrillError(`${redactUrl(from.href)} redirected to ${redactUrl(url.href)}: refused, it leaves https`, { hint: 'the server or its object storage must keep downloads on https' });
  }
  const kept = url.host === from.host ? { ...headers } : Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
  return { url, headers: kept };
}

/** The request's headers, with the credentials a link carries as Basic auth (as git-lfs sends them). */
export function headersFor(url: URL, headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  const all: Record<string, string> = { ...headers };
  if ((url.username || url.password) && !Object.keys(all).some((name) => name.toLowerCase() === 'authorization')) {
    all['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  return all;
}

/**
 * Ends a request on an abort, or on silence until the answer's head: `signal` aborts then; `answered()`
 * stops the silence timer once the head is there, `settle()` stops listening at all.
 */
export function untilAnswered(url: URL, options: { readonly signal?: AbortSignal; readonly idleMs?: number }): { signal: AbortSignal; answered: () => void; settle: () => void } {
  const controller = new AbortController();
  const idleMs = options.idleMs ?? IDLE_MS;
  const abort = () => controller.abort(options.signal!.reason);
  const silent = setTimeout(() => controller.abort(new Error(`no answer from ${url.host} for ${idleMs / 1000} s`)), idleMs);
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    answered: () => clearTimeout(silent),
    settle: () => {
      clearTimeout(silent);
      options.signal?.removeEventListener('abort', abort);
    },
  };
}

export async function request(href: string, options: RequestOptions = {}): Promise<Answer> {
  const url = new URL(href);
  // A request outside a transfer has connections of its own, closed once its answer is read.
  const own = options.connections ? undefined : openConnections({ from: "Node's built-in CA list" });
  const connections = options.connections ?? own!;
  const idleMs = options.idleMs ?? IDLE_MS;
  const method = (options.method ?? 'GET') as Dispatcher.HttpMethod;
  const waiting = untilAnswered(url, options);
  let answer: Dispatcher.ResponseData;
  // undici leaves a request that waits for its connection (a proxy's CONNECT) to its own timers:
  // the wait ends here on an abort or silence; close() ends the connection attempt.
  const given = new Promise<never>((_, reject) => waiting.signal.addEventListener('abort', () => reject(waiting.signal.reason), { once: true }));
  given.catch(() => undefined);
  try {
    const asked = connections.dispatcherFor(url).request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers: headersFor(url, options.headers),
      ...(options.body !== undefined ? { body: options.body } : {}),
      signal: waiting.signal,
      // After the head: silence between body bytes.
      bodyTimeout: idleMs,
    });
    // An answer that comes after the wait was given up is not read: its connection is let go.
    void asked.then((late) => (waiting.signal.aborted ? late.body.dump({ limit: 0 }).catch(() => undefined) : undefined), () => undefined);
    answer = await Promise.race([given, asked]);
  } catch (error) {
    own?.close();
    throw requestFailure(waiting.signal.aborted ? waiting.signal.reason : error, url, connections);
  } finally {
    waiting.settle();
  }
  if (own) answer.body.once('close', () => own.close());
  // An abort while the body is read ends it too (the head's timer and listener are settled by now).
  if (options.signal) {
    const signal = options.signal;
    // Whoever reads the body sees the abort; a body nobody reads yet must not crash the drill with it.
    const abortBody = () => answer.body.once('error', () => undefined).destroy(signal.reason as Error);
    if (signal.aborted) abortBody();
    else {
      signal.addEventListener('abort', abortBody, { once: true });
      answer.body.once('close', () => signal.removeEventListener('abort', abortBody));
    }
  }
  if (answer.statusCode === 407) {
    await answer.body.dump();
    throw proxyRefusal(connections.proxies.forUrl(url), url, 407, '');
  }
  const location = answer.headers['location'];
  const redirects = options.redirects ?? 3;
  if (typeof location === 'string' && answer.statusCode >= 300 && answer.statusCode < 400 && redirects > 0 && method === 'GET') {
    await answer.body.dump();
    const next = redirectTarget(url, location, options.headers);
    return request(next.url.href, { ...options, headers: next.headers, redirects: redirects - 1 });
  }
  return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body };
}

/** The whole body as text (for small answers: the Batch API's JSON, an error page). */
export async function readText(answer: Answer): Promise<string> {
  return answer.body.text();
}
