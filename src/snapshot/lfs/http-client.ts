/**
 * The HTTP(S) client of the LFS transfer: node:http(s), whose streams hand over large buffers
 * directly (fetch's web streams cost several times the CPU per byte on the hot path of a restore).
 * Over HTTPS it checks certificates against the CA list git trusts (../trust.ts); through a proxy
 * (./proxy.ts), https goes through a CONNECT tunnel (https-proxy-agent) and http by absolute URL
 * (http-proxy-agent).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { DrillError } from '../../model/errors.js';
import { redactUrl } from '../../model/redact.js';
import { PROXY_AUTH_HINT, tlsFailure, type Trust } from '../trust.js';
import { DIRECT, type Proxies } from './proxy.js';

/** The CA list, the proxies and the connections made with them, for one transfer: close() when it is done. */
export interface Connections {
  readonly trust: Trust;
  readonly proxies: Proxies;
  /** The agent for a request to `url`: through its proxy (a CONNECT tunnel for https), or direct. */
  agentFor(url: URL): http.Agent | undefined;
  close(): void;
}

/**
 * One set of agents per transfer: the CA list is parsed once, and the Batch request's connection is
 * kept for the downloads. Closed at the end, so that a later drill in the same process (a test, the
 * benchmark) starts with connections of its own, as a drill from the command line does.
 */
export function openConnections(trust: Trust, proxies: Proxies = DIRECT): Connections {
  const direct = trust.ca ? new https.Agent({ ca: trust.ca, keepAlive: true }) : undefined;
  const tunnels = new Map<string, http.Agent>();
  // Ends every connection to a proxy at close(), one still waiting for its CONNECT answer included
  // (the agents do not track those, and one would keep the process alive).
  const closing = new AbortController();
  return {
    trust,
    proxies,
    agentFor(url) {
      const proxy = proxies.forUrl(url);
      if (!proxy) return url.protocol === 'https:' ? direct : undefined;
      const key = `${url.protocol} ${proxy.href}`;
      let agent = tunnels.get(key);
      if (!agent) {
        // The target's certificate is checked against `trust` (the request passes its CA list); so is
        // an https:// proxy's own.
        const options = { keepAlive: true, signal: closing.signal, ...(trust.ca ? { ca: trust.ca } : {}) };
        agent = url.protocol === 'https:' ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
        tunnels.set(key, agent);
      }
      return agent;
    },
    close() {
      closing.abort(new Error('the transfer ended'));
      direct?.destroy();
      for (const agent of tunnels.values()) agent.destroy();
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

/** How long a request may wait for its answer's next bytes (or, through a proxy, for its tunnel). */
export const IDLE_MS = 60_000;

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

export function request(href: string, options: RequestOptions = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(href);
    const secure = url.protocol === 'https:';
    const agent = options.connections?.agentFor(url);
    const ca = secure ? options.connections?.trust.ca : undefined;
    const headers = { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) };
    let tunnel: { statusCode?: number; statusText?: string } | undefined;
    // Through a tunnel, https-proxy-agent checks the certificate against "localhost" when the host is
    // an address (it passes no host to tls.connect): name the host the request is for.
    const identity = secure && options.connections?.proxies.forUrl(url) ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(url.hostname.replace(/^\[(.*)\]$/, '$1'), cert) } : {};
    const sent = (secure ? https : http).request(url, { method: options.method ?? 'GET', headers, ...(agent ? { agent } : {}), ...(ca ? { ca } : {}), ...identity, ...(options.signal ? { signal: options.signal } : {}) }, (response) => {
      settle();
      // The proxy's own answer, never the server's: a refused CONNECT is replayed as the response.
      // (http-proxy-agent's proxyConnect carries no status: nothing was refused.)
      if ((typeof tunnel?.statusCode === 'number' && tunnel.statusCode !== 200) || response.statusCode === 407) {
        response.resume();
        const status = tunnel?.statusCode ?? response.statusCode ?? 0;
        reject(proxyRefusal(options.connections?.proxies.forUrl(url), url, status, tunnel?.statusText ?? response.statusMessage ?? ''));
        return;
      }
      const location = response.headers.location;
      const redirects = options.redirects ?? 3;
      if (location && response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && redirects > 0 && (options.method ?? 'GET') === 'GET') {
        response.resume();
        try {
          const next = redirectTarget(url, location, options.headers);
          resolve(request(next.url.href, { ...options, headers: next.headers, redirects: redirects - 1 }));
        } catch (error) {
          reject(error);
        }
        return;
      }
      resolve(response);
    });
    const idleMs = options.idleMs ?? IDLE_MS;
    sent.setTimeout(idleMs, () => sent.destroy(new Error(`no data from ${url.host} for ${idleMs / 1000} s`)));
    // Until the answer's head, an abort or silence ends the request here, even while a proxy agent is
    // still connecting: a request destroyed before it has a socket says nothing until one comes.
    const giveUp = (error: Error) => {
      settle();
      sent.destroy(error);
      reject(error);
    };
    const abort = () => giveUp(options.signal!.reason as Error);
    const silent = setTimeout(() => giveUp(new Error(`no answer from ${url.host} for ${idleMs / 1000} s`)), idleMs);
    const settle = () => {
      clearTimeout(silent);
      options.signal?.removeEventListener('abort', abort);
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    sent.once('close', settle);
    sent.once('proxyConnect', (answer: { statusCode?: number; statusText?: string }) => (tunnel = answer));
    sent.on('error', (error) => (settle(), reject(tlsFailure(error, href, options.connections?.trust) ?? error)));
    sent.end(options.body);
  });
}

/** The whole body as text (for small answers: the Batch API's JSON, an error page). */
export async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
