/**
 * Over HTTPS the drill trusts what git trusts, so a backup git can clone is a backup the drill can
 * restore: `GIT_SSL_CAINFO`, else git's `http.sslCAInfo` (any config git reads, `GIT_CONFIG_*`
 * included), else the system's bundle — which is what git's libcurl reads, and what Node's own
 * built-in list does not include (a company CA installed with update-ca-certificates). A certificate
 * that fails is never accepted: the failure, git's or the transfer's, names how to trust its CA.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { run, type ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import { redactUrl } from '../model/redact.js';

/** Certificate authorities for HTTPS, as PEM; undefined: Node's built-in list. */
export interface Trust {
  readonly ca?: string;
  /** Where the list came from, for messages. */
  readonly from: string;
}

/** Node's own list: what is left when neither git nor the system names one. */
export const NODE_TRUST: Trust = { from: "Node's built-in CA list" };

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
  return NODE_TRUST;
}

/** What to do when a server's certificate is refused (by git or by the transfer). */
export const TRUST_HINT = 'trust its CA the way git does: git config --global http.sslCAInfo /path/to/ca.pem (or GIT_SSL_CAINFO), then drill again';

/** What to do when the proxy refuses its credentials. */
export const PROXY_AUTH_HINT = "give the proxy's credentials as the user and password of its URL (in https_proxy, or git config http.proxy), then drill again";

/**
 * The hint for a failed git command against a remote: how to trust a certificate, or what the proxy
 * wants, if that is what failed.
 */
export function remoteHint(fallback?: string): (result: { readonly stderr: string }) => string | undefined {
  return (result) => {
    // "server certificate verification failed" (GnuTLS), "SSL certificate problem: …" (OpenSSL); not every SSL error.
    if (/certificate/i.test(result.stderr)) return TRUST_HINT;
    // curl 7.88: "CONNECT tunnel failed, response 407"; older: "Received HTTP code 407 from proxy after CONNECT".
    // Plain http through a proxy: "The requested URL returned error: 407".
    if (/CONNECT tunnel failed, response 40[17]|code 407 from proxy|returned error: 407/.test(result.stderr)) return PROXY_AUTH_HINT;
    if (/CONNECT tunnel failed|from proxy after CONNECT/.test(result.stderr)) return "the proxy refused the tunnel: ask its administrators, or exempt the host (no_proxy)";
    return fallback;
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

/** A failure of the server's certificate (or of TLS itself): not worth a retry, and not the network. */
export function tlsFailure(error: unknown, href: string, trust: Trust | undefined): DrillError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (!TLS_CODES.test(code)) return undefined;
  const host = new URL(href).host;
  return new DrillError(`the certificate of ${host} was refused (${code}: ${(error as Error).message}), checked against ${(trust ?? NODE_TRUST).from}`, {
    hint: `${TRUST_HINT} (${redactUrl(href)})`,
  });
}
