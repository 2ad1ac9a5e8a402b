/**
 * Which proxy the transfer takes for a URL: git's http.proxy (read by the real git), else the
 * environment as git 2.39 and curl 7.88 read it, with no_proxy's exemptions; the cases where they
 * once disagreed with the real `git ls-remote` are pinned here.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemRunner } from '../../src/adapters/run.js';
import { exempt, proxiesFrom, transferProxies } from '../../src/snapshot/lfs/proxy.js';

const proxyOf = (env: Record<string, string>, url: string, git?: string) => proxiesFrom(env, git).forUrl(new URL(url))?.href;

describe('the proxy for a URL', () => {
  it('is https_proxy for https, http_proxy for http, else all_proxy; a proxy without a scheme is http://', () => {
    const env = { https_proxy: 'http://tls-proxy:3128', http_proxy: 'plain-proxy:8080', all_proxy: 'http://any:1' };
    expect(proxyOf(env, 'https://gitlab.example.com/a.git/info/lfs')).toBe('http://tls-proxy:3128/');
    expect(proxyOf(env, 'http://minio.internal:9000/bucket/x')).toBe('http://plain-proxy:8080/');
    expect(proxyOf({ all_proxy: 'http://any:1' }, 'https://h/')).toBe('http://any:1/');
    expect(proxyOf({ HTTPS_PROXY: 'http://upper:1' }, 'https://h/')).toBe('http://upper:1/');
    // curl reads no upper-case HTTP_PROXY (a CGI request's "Proxy:" header would set it).
    expect(proxyOf({ HTTP_PROXY: 'http://upper:1' }, 'http://h/')).toBeUndefined();
    expect(proxyOf({}, 'https://h/')).toBeUndefined();
  });

  it('takes a lower-case variable that is set, even empty, before the upper-case one; empty means none (git 2.39)', () => {
    expect(proxyOf({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' }, 'https://h/')).toBe('http://lower:1/');
    expect(proxyOf({ https_proxy: '', HTTPS_PROXY: 'http://upper:1' }, 'https://h/')).toBeUndefined();
    expect(proxyOf({ http_proxy: '', all_proxy: 'http://any:1' }, 'http://h/')).toBeUndefined();
    expect(proxyOf({ https_proxy: 'http://p:1', no_proxy: '', NO_PROXY: 'h' }, 'https://h/')).toBe('http://p:1/');
  });

  it('is git\'s http.proxy first, whatever the environment says; an empty one means none', () => {
    expect(proxyOf({ https_proxy: 'http://env:1' }, 'https://h/', 'http://from-git:3128\n')).toBe('http://from-git:3128/');
    expect(proxyOf({ https_proxy: 'http://env:1' }, 'https://h/', '\n')).toBeUndefined();
  });

  it('refuses a proxy the transfer cannot speak, naming it without its password; unless the host is exempt', () => {
    expect(() => proxyOf({ https_proxy: 'socks5://u:hunter2@socks:1080' }, 'https://h/')).toThrow(/^the proxy socks5:\/\/\*\*\*@socks:1080 speaks socks5/);
    expect(proxyOf({ all_proxy: 'socks5://socks:1080', no_proxy: '*' }, 'https://h/')).toBeUndefined();
  });

  it('keeps a password that is not percent-encoding as written ("100%")', () => {
    const proxy = proxiesFrom({ https_proxy: 'http://u:100%@p:1' }).forUrl(new URL('https://h/'));
    expect(decodeURIComponent(proxy!.password)).toBe('100%');
  });
});

describe('no_proxy, as curl 7.88 (and so git) reads it', () => {
  const is = (url: string, noProxy: string) => exempt(new URL(url), noProxy);

  it('exempts a name and its subdomains (leading or trailing dots dropped); * only as the whole value', () => {
    expect(is('https://gitlab.corp.example/x', 'corp.example')).toBe(true);
    expect(is('https://gitlab.corp.example/x', '.corp.example')).toBe(true);
    expect(is('https://gitlab.corp.example./x', 'corp.example.')).toBe(true);
    expect(is('https://corp.example/x', 'corp.example')).toBe(true);
    expect(is('https://notcorp.example/x', 'corp.example')).toBe(false);
    expect(is('https://GitLab.Corp.Example/x', 'corp.example')).toBe(true);
    expect(is('https://anything/x', '*')).toBe(true);
    expect(is('https://anything/x', 'localhost,*')).toBe(false);
    expect(is('https://anything/x', ' * ')).toBe(false);
    expect(is('https://a.example/x', 'b.example a.example')).toBe(true);
  });

  it('exempts an IPv4 address by itself or a CIDR range; /0 compares the whole address, past /32 nothing', () => {
    expect(is('http://10.1.2.3:9000/', '10.0.0.0/8')).toBe(true);
    expect(is('http://11.1.2.3:9000/', '10.0.0.0/8')).toBe(false);
    expect(is('http://127.0.0.1:9000/', 'localhost, 127.0.0.1')).toBe(true);
    expect(is('http://1.2.3.4/', '0.0.0.0/0')).toBe(false);
    expect(is('http://127.0.0.1/', '127.0.0.0/33')).toBe(false);
    // An address is not a subdomain of anything.
    expect(is('http://1.10.0.0/', '0.0')).toBe(false);
  });

  it('matches no port, IPv6 range or bracketed IPv6 token (curl 7.88 does not), an IPv6 address as written', () => {
    expect(is('https://minio.internal:9000/', 'minio.internal:9000')).toBe(false);
    expect(is('http://127.0.0.1:9/', '127.0.0.1:9')).toBe(false);
    expect(is('http://[::1]/', '::1')).toBe(true);
    expect(is('http://[::1]/', '[::1]')).toBe(false);
    expect(is('http://[fd00::5]:9000/', 'fd00::/8')).toBe(false);
  });

  it('sends an exempt host direct even past git\'s http.proxy', () => {
    expect(proxyOf({ no_proxy: '.internal' }, 'https://s3.internal/x', 'http://proxy:3128')).toBeUndefined();
    expect(proxyOf({ NO_PROXY: '.internal' }, 'https://gitlab.example/x', 'http://proxy:3128')).toBe('http://proxy:3128/');
  });
});

describe('the proxies of a transfer', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-proxy-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads http.proxy from git\'s config for the endpoint (http.<url>.proxy too), and names every proxy password as a secret', async () => {
    const config = path.join(tmp, 'gitconfig');
    await writeFile(config, '[http]\n\tproxy = http://everyone:3128\n[http "https://gitlab.corp.example"]\n\tproxy = http://ops:s3cret-proxy@corp-proxy:3128\n');
    const secrets: string[] = [];
    const env = { GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1', https_proxy: 'http://u:env%40pass@envproxy:1', no_proxy: '' };
    const corp = await transferProxies('https://gitlab.corp.example/ml/whisper.git/info/lfs', { env, onSecret: (s) => secrets.push(s) });
    expect(corp.forUrl(new URL('https://storage.example/obj'))?.host).toBe('corp-proxy:3128');
    const other = await transferProxies('https://github.com/x/y.git/info/lfs', { env });
    expect(other.forUrl(new URL('https://github.com/x'))?.host).toBe('everyone:3128');
    expect(secrets.sort()).toEqual(['env@pass', 's3cret-proxy']);
  });

  it('looks up each download link\'s origin on prepare(), with only the origin in git\'s argv', async () => {
    const config = path.join(tmp, 'gitconfig-storage');
    await writeFile(config, '[http]\n\tproxy = http://everyone:3128\n[http "https://gitlab.corp.example"]\n\tproxy = http://corp-proxy:3128\n[http "https://s3.corp.example"]\n\tproxy = \n');
    const argv: string[][] = [];
    const runner = { ...systemRunner, run: (file: string, args: readonly string[], options?: Parameters<typeof systemRunner.run>[2]) => (argv.push([file, ...args]), systemRunner.run(file, args, options)) };
    const env = { GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1', no_proxy: '' };
    const proxies = await transferProxies('https://gitlab.corp.example/ml/whisper.git/info/lfs', { env, runner });
    const link = 'https://s3.corp.example/bucket/oid?X-Amz-Signature=pre-signed-s3cr3t';
    const other = 'https://cdn.example/oid?sig=another-s3cr3t';
    // Before prepare(): the endpoint's proxy for everything.
    expect(proxies.forUrl(new URL(link))?.host).toBe('corp-proxy:3128');
    await proxies.prepare!([link, other]);
    // s3.corp.example has an empty http.<url>.proxy (direct); cdn.example the general one.
    expect(proxies.forUrl(new URL(link))).toBeUndefined();
    expect(proxies.forUrl(new URL(other))?.host).toBe('everyone:3128');
    expect(proxies.forUrl(new URL('https://gitlab.corp.example/x'))?.host).toBe('corp-proxy:3128');
    expect(JSON.stringify(argv)).not.toMatch(/s3cr3t|bucket/);
    expect(argv.map((args) => args.at(-1))).toEqual(['https://gitlab.corp.example/ml/whisper.git/info/lfs', 'https://s3.corp.example/', 'https://cdn.example/']);
  });

  it('is the environment\'s when git names none', async () => {
    const env = { GIT_CONFIG_GLOBAL: path.join(tmp, 'none'), GIT_CONFIG_NOSYSTEM: '1', https_proxy: 'http://envproxy:8080', no_proxy: '' };
    const proxies = await transferProxies('https://gitlab.example/a.git/info/lfs', { env });
    expect(proxies.forUrl(new URL('https://gitlab.example/a'))?.host).toBe('envproxy:8080');
  });
});
