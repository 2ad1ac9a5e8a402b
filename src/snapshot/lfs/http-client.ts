/**
 * The HTTP(S) client of the LFS transfer: node:http(s), whose streams hand over large buffers
 * directly (fetch's web streams cost several times the CPU per byte on the hot path of a restore).
 *
 * Over HTTPS the drill trusts what git trusts, so a backup git can clone is a backup the drill can
 * restore: `GIT_SSL_CAINFO`, else git's `http.sslCAInfo` (any config git reads, `GIT_CONFIG_*`
 * included), else the system's bundle — which is what git's libcurl reads, and what Node's own
 * built-in list does not include (a company CA installed with update-ca-certificates). A certificate
 * that fails is never accepted: the failure names the host, the reason and how to trust its CA.
 */
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { run, type ProcessRunner } from '../../adapters/run.js';
import { DrillError } from '../../core/model.js';
import { redactUrl } from '../redact.js';

/** Certificate authorities for HTTPS, as PEM; undefined: Node's built-in list. */
export interface Trust {
  readonly ca?: string;
  /** Where the list came from, for messages. */
  readonly from: string;
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export async function gitTrust(hooks: { readonly runner?: ProcessRunner; readonly env?: Readonly<Record<string, string>>; readonly signal?: AbortSignal } = {}): Promise<Trust> {
  const env = { ...process.env, ...hooks.env };
  let file = env['GIT_SSL_CAINFO'];
  let from = 'GIT_SSL_CAINFO';
  if (!file) {
    const configured = await run('git', ['config', '--get', 'http.sslCAInfo'], { runner: hooks.runner, env: hooks.env, signal: hooks.signal });
    file = configured.exitCode === 0 ? configured.stdout.trim() : undefined;
    from = 'git config http.sslCAInfo';
  }
  if (file) {
    const path = file.replace(/^~(?=\/)/, os.homedir());
    const ca = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new DrillError(`${from} names ${path}, which cannot be read (${error.code ?? error.message})`, { hint: 'point it at the PEM file of the CA that signed the server\'s certificate' });
    });
    return { ca, from: `${from} (${path})` };
  }
  for (const bundle of SYSTEM_BUNDLES) {
    const ca = await readFile(bundle, 'utf8').catch(() => undefined);
    if (ca) return { ca, from: `the system's CA bundle (${bundle})` };
  }
  return { from: 'Node\'s built-in CA list' };
}

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

/** What to do when a server's certificate is refused (by git or by the transfer). */
export const TRUST_HINT = 'trust its CA the way git does: git config --global http.sslCAInfo /path/to/ca.pem (or GIT_SSL_CAINFO), then drill again';

/** The hint for a failed git command against a remote: how to trust a certificate if that is what failed. */
export function remoteHint(fallback: string): (result: { readonly stderr: string }) => string {
  // "server certificate verification failed" (GnuTLS), "SSL certificate problem: …" (OpenSSL); not every SSL error.
  return (result) => (/certificate/i.test(result.stderr) ? TRUST_HINT : fallback);
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

/** A failure of the server's certificate (or of TLS itself): not worth a retry, and not the network. */
export function tlsFailure(error: unknown, href: string, trust: Trust | undefined): DrillError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (!TLS_CODES.test(code)) return undefined;
  const host = new URL(href).host;
  return new DrillError(`the certificate of ${host} was refused (${code}: ${(error as Error).message}), checked against ${trust?.from ?? 'Node\'s built-in CA list'}`, {
    hint: `${TRUST_HINT} (${redactUrl(href)})`,
  });
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
