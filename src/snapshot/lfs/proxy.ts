/**
 * The HTTP proxy the drill's own transfer goes through, chosen exactly as git 2.39 (http.c) and the
 * libcurl under it (7.88, Debian 12) choose their own, so that the transfer and git never disagree
 * about whether a host is reached through the proxy:
 *   1. `http.proxy` from git's config, the entry that best matches the URL (`git config
 *      --get-urlmatch`, so `http.<url>.proxy` works): the LFS endpoint's, and each download
 *      link's origin's, as git-lfs looks it up per URL;
 *   2. else, for https, `https_proxy` (if set at all, even empty) or `HTTPS_PROXY`; for http, only
 *      `http_proxy` (never HTTP_PROXY: a CGI's request header could set it); then `all_proxy` or
 *      `ALL_PROXY`. The value chosen being empty means no proxy at all;
 *   3. `no_proxy` (if set at all) or `NO_PROXY`, as curl 7.88 reads it: the whole value `*` exempts
 *      everything; else each token (split at commas and spaces, a leading and a trailing dot dropped)
 *      exempts a host name it equals or ends (after a dot); an IPv4 address is exempted by an equal
 *      address or a CIDR range (`10.0.0.0/8`). Ports in tokens, IPv6 ranges and bracketed IPv6
 *      tokens match nothing there, so they match nothing here either.
 * A proxy without a scheme is an http:// one, as curl takes it.
 *
 * Written here rather than taken from proxy-from-env: that library reads only process.env (the
 * drill hands its tools an environment of its own), and its no_proxy rules are not curl's.
 */
import net from 'node:net';
import { git } from '../../adapters/git.js';
import type { ProcessRunner } from '../../adapters/run.js';
import { DrillError } from '../../model/errors.js';
import { redactUrl } from '../../model/redact.js';

export interface Proxies {
  /** The proxy a request to `url` goes through, or undefined for a direct connection. */
  forUrl(url: URL): URL | undefined;
  /**
   * Looks up git's `http.<url>.proxy` for the origins of `hrefs` (the download links), as git-lfs
   * does per URL; an origin not looked up takes the LFS endpoint's.
   */
  prepare?(hrefs: readonly string[]): Promise<void>;
}

export const DIRECT: Proxies = { forUrl: () => undefined };

type Env = Readonly<Record<string, string | undefined>>;

/** The lower-case variable if it is set at all (even empty), else the upper-case one: git's order. */
const pick = (env: Env, lower: string, upper: string): string | undefined => (env[lower] !== undefined ? env[lower] : env[upper]);

/** A proxy as written (scheme optional); its credentials stay in the URL for the agents to send. */
function proxyUrl(text: string): URL | undefined {
  return URL.parse(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`) ?? undefined;
}

function parseProxy(text: string): URL {
  const url = proxyUrl(text);
  if (!url) throw new DrillError(`the proxy setting ${JSON.stringify(redactUrl(text))} is not a URL`, { hint: 'fix https_proxy (or git config http.proxy)' });
  // A password that is not valid percent-encoding ("100%") is meant as written: the agents decode it.
  for (const part of ['username', 'password'] as const) {
    if (safeDecode(url[part]) === url[part] && /%/.test(url[part])) url[part] = encodeURIComponent(url[part]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DrillError(`the proxy ${redactUrl(url.href)} speaks ${url.protocol.slice(0, -1)}, which the LFS transfer does not`, {
      hint: 'give an http:// or https:// proxy (https_proxy, or git config http.proxy)',
    });
  }
  return url;
}

/** curl 7.88's Curl_cidr4_match: /0 and /32 (and no range) compare the whole address; past 32, nothing. */
function cidr4(address: string, network: string, bits: number): boolean {
  if (bits > 32 || !net.isIPv4(network)) return false;
  const value = (ip: string) => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  if (bits === 0 || bits === 32) return value(address) === value(network);
  const span = 2 ** (32 - bits);
  return Math.floor(value(address) / span) === Math.floor(value(network) / span);
}

/** Whether `no_proxy` exempts `url`, as curl 7.88 decides (see the module's comment). */
export function exempt(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  if (noProxy === '*') return true;
  // curl sees an IPv6 host without its brackets and takes it for a name.
  let name = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const ipv4 = net.isIPv4(name);
  if (!ipv4 && name.endsWith('.')) name = name.slice(0, -1);
  for (const raw of noProxy.split(/[, ]+/)) {
    if (!raw) continue;
    let token = raw.toLowerCase();
    if (ipv4) {
      const [network = '', bits] = token.split('/', 2);
      if (cidr4(name, network, bits === undefined ? 0 : Number.parseInt(bits, 10) || 0)) return true;
      continue;
    }
    if (token.endsWith('.')) token = token.slice(0, -1);
    if (token.startsWith('.')) token = token.slice(1);
    if (token && (token === name || name.endsWith(`.${token}`))) return true;
  }
  return false;
}

/**
 * The proxies from an environment and git's `http.proxy` (already looked up, or undefined when git
 * has none). An empty value, from git's config or the environment, means no proxy at all.
 */
export function proxiesFrom(env: Env, gitProxy?: string): Proxies {
  const configured = gitProxy?.replace(/\n$/, '');
  const noProxy = pick(env, 'no_proxy', 'NO_PROXY');
  return {
    forUrl(url) {
      let text = configured;
      if (text === undefined) text = url.protocol === 'https:' ? pick(env, 'https_proxy', 'HTTPS_PROXY') : env['http_proxy'];
      if (text === undefined) text = pick(env, 'all_proxy', 'ALL_PROXY');
      if (!text || exempt(url, noProxy)) return undefined;
      return parseProxy(text);
    },
  };
}

export interface ProxyHooks {
  readonly runner?: ProcessRunner;
  readonly env?: Env;
  readonly signal?: AbortSignal;
  /** A proxy password: for the redaction of everything the drill records. */
  readonly onSecret?: (secret: string) => void;
}

/** A percent-decoded password, or the password as written when it is not valid percent-encoding ("100%"). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The proxies for a transfer from `endpoint`: git's `http.proxy` for each URL (the endpoint's now,
 * the download links' origins on prepare()), else the environment.
 */
export async function transferProxies(endpoint: string, hooks: ProxyHooks = {}): Promise<Proxies> {
  const env: Env = { ...process.env, ...hooks.env };
  // Every proxy a request of this transfer might take: their passwords are scrubbed from the record.
  const secret = (text: string | undefined) => {
    const password = text ? proxyUrl(text.trim())?.password : undefined;
    if (password) hooks.onSecret?.(safeDecode(password));
  };
  // Only an origin goes into git's argv: a pre-signed link's query is a credential of its own.
  const lookUp = async (url: string) => {
    const result = await git(['config', '--get-urlmatch', 'http.proxy', url], {
      runner: hooks.runner,
      ...(hooks.env ? { env: hooks.env } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    const configured = result.exitCode === 0 ? result.stdout : undefined;
    secret(configured);
    return proxiesFrom(env, configured);
  };
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'all_proxy', 'ALL_PROXY']) secret(env[name]);
  const byOrigin = new Map<string, Proxies>([[new URL(endpoint).origin, await lookUp(endpoint)]]);
  const fallback = byOrigin.get(new URL(endpoint).origin)!;
  return {
    forUrl: (url) => (byOrigin.get(url.origin) ?? fallback).forUrl(url),
    async prepare(hrefs) {
      for (const origin of new Set(hrefs.map((href) => new URL(href).origin))) {
        if (!byOrigin.has(origin) && origin !== 'null') byOrigin.set(origin, await lookUp(`${origin}/`));
      }
    },
  };
}
