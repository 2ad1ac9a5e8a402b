/**
 * The HTTP proxy the drill's own transfer goes through, chosen the way git (through curl) chooses
 * its own, so that a backup git reaches through a proxy is a backup the drill restores:
 *   1. `http.proxy` from git's config, the entry that best matches the LFS endpoint
 *      (`git config --get-urlmatch`, so `http.<url>.proxy` works too); set but empty, no proxy;
 *   2. else `https_proxy` / `HTTPS_PROXY` for an https URL, `http_proxy` for an http one (curl reads
 *      no upper-case HTTP_PROXY: a CGI's request header could set it), then `all_proxy` / `ALL_PROXY`;
 *   3. `no_proxy` / `NO_PROXY` exempts hosts: `*` all of them, a name itself and its subdomains (a
 *      leading dot or not), an address, or an IPv4/IPv6 range in CIDR notation.
 * A proxy without a scheme is an http:// one, as curl takes it.
 *
 * Written here rather than taken from proxy-from-env: that library reads only process.env, and the
 * drill hands its tools an environment of its own (the plan's, the tests').
 */
import net from 'node:net';
import { git } from '../../adapters/git.js';
import type { ProcessRunner } from '../../adapters/run.js';
import { DrillError } from '../../core/model.js';
import { redactUrl } from '../redact.js';

export interface Proxies {
  /** The proxy a request to `url` goes through, or undefined for a direct connection. */
  forUrl(url: URL): URL | undefined;
}

export const DIRECT: Proxies = { forUrl: () => undefined };

type Env = Readonly<Record<string, string | undefined>>;

const first = (env: Env, ...names: string[]) => names.map((name) => env[name]?.trim()).find((value) => value);

function parseProxy(text: string): URL {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DrillError(`the proxy ${redactUrl(url.href)} speaks ${url.protocol.slice(0, -1)}, which the LFS transfer does not`, {
      hint: 'give an http:// or https:// proxy (https_proxy, or git config http.proxy)',
    });
  }
  return url;
}

/** Whether `no_proxy` exempts `url` (curl's rules; see the module's comment). */
export function exempt(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const [, base, bits] = cidr;
      const family = net.isIP(base!) === 6 ? 'ipv6' : net.isIP(base!) === 4 ? 'ipv4' : undefined;
      const hostFamily = net.isIP(host) === 6 ? 'ipv6' : net.isIP(host) === 4 ? 'ipv4' : undefined;
      if (!family || family !== hostFamily) continue;
      const range = new net.BlockList();
      range.addSubnet(base!, Number(bits), family);
      if (range.check(host, family)) return true;
      continue;
    }
    const address = entry.replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(address)) {
      if (address === host) return true;
      continue;
    }
    const withPort = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(entry.replace(/^\./, ''));
    const [, name, entryPort] = withPort ?? [];
    if (!name || (entryPort && entryPort !== port)) continue;
    if (host === name || (!net.isIP(host) && host.endsWith(`.${name}`))) return true;
  }
  return false;
}

/**
 * The proxies from an environment and git's `http.proxy` (already looked up, or undefined when git
 * has none). An empty `http.proxy` means no proxy at all, as it does for git.
 */
export function proxiesFrom(env: Env, gitProxy?: string): Proxies {
  if (gitProxy !== undefined && !gitProxy.trim()) return DIRECT;
  const configured = gitProxy?.trim() ? parseProxy(gitProxy.trim()) : undefined;
  const noProxy = first(env, 'no_proxy', 'NO_PROXY');
  return {
    forUrl(url) {
      const text = configured ? undefined : url.protocol === 'https:' ? first(env, 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY') : first(env, 'http_proxy', 'all_proxy', 'ALL_PROXY');
      const proxy = configured ?? (text ? parseProxy(text) : undefined);
      return proxy && !exempt(url, noProxy) ? proxy : undefined;
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

/** The proxies for a transfer from `endpoint`: git's `http.proxy` for it, else the environment. */
export async function transferProxies(endpoint: string, hooks: ProxyHooks = {}): Promise<Proxies> {
  const env: Env = { ...process.env, ...hooks.env };
  const result = await git(['config', '--get-urlmatch', 'http.proxy', endpoint], {
    runner: hooks.runner,
    ...(hooks.env ? { env: hooks.env } : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  });
  const configured = result.exitCode === 0 ? result.stdout : undefined;
  // Every proxy a request of this transfer might take: their passwords are scrubbed from the record.
  for (const text of [configured, ...['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'all_proxy', 'ALL_PROXY'].map((name) => env[name])]) {
    const password = text?.trim() ? URL.parse(/:\/\//.test(text) ? text.trim() : `http://${text.trim()}`)?.password : '';
    if (password) hooks.onSecret?.(decodeURIComponent(password));
  }
  return proxiesFrom(env, configured);
}
