/** Which certificate authorities the transfer trusts over HTTPS: git's, in git's order. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitTrust, PROXY_AUTH_HINT, remoteHint, TRUST_HINT } from '../../src/snapshot/trust.js';
import { commandTable } from '../helpers/command-table.js';

let tmp = '';
let caFile = '';
const hostCaInfo = process.env['GIT_SSL_CAINFO'];

beforeAll(async () => {
  // This machine kind may set GIT_SSL_CAINFO for every process; these cases say what they want.
  delete process.env['GIT_SSL_CAINFO'];
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-trust-'));
  caFile = path.join(tmp, 'company-ca.pem');
  await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
});
afterAll(async () => {
  if (hostCaInfo !== undefined) process.env['GIT_SSL_CAINFO'] = hostCaInfo;
  await rm(tmp, { recursive: true, force: true });
});

const configured = (value: string | undefined) => commandTable([{ command: 'git config --get http.sslCAInfo', ...(value ? { stdout: `${value}\n` } : { exitCode: 1 }) }]);

describe('the CAs an HTTPS transfer trusts', () => {
  it('GIT_SSL_CAINFO first, without asking git', async () => {
    const runner = configured('/elsewhere.pem');
    const trust = await gitTrust({ runner, env: { GIT_SSL_CAINFO: caFile } });
    expect(trust).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE'), from: `GIT_SSL_CAINFO (${caFile})` });
    expect(runner.calls).toHaveLength(0);
  });

  it('then http.sslCAInfo from git\'s config', async () => {
    const trust = await gitTrust({ runner: configured(caFile), env: {} });
    expect(trust.from).toBe(`git config http.sslCAInfo (${caFile})`);
  });

  it('then the system\'s bundle, where a CA installed with update-ca-certificates is', async () => {
    const trust = await gitTrust({ runner: configured(undefined), env: {} });
    expect(trust.from).toMatch(/^the system's CA bundle \(\/etc\/ssl\/certs\/ca-certificates\.crt\)$/);
    expect(trust.ca).toContain('BEGIN CERTIFICATE');
  });

  it('names a CA file that cannot be read, and where it was named', async () => {
    await expect(gitTrust({ runner: configured('/no/such/ca.pem'), env: {} })).rejects.toThrow('git config http.sslCAInfo names /no/such/ca.pem, which cannot be read (ENOENT)');
  });

  it('hints at trusting a CA for a certificate failure, and only for one', () => {
    const hint = remoteHint('check the network');
    expect(hint({ stderr: "fatal: unable to access 'https://git.example/b.git/': server certificate verification failed. CAfile: none" })).toBe(TRUST_HINT);
    expect(hint({ stderr: 'fatal: unable to access: SSL certificate problem: unable to get local issuer certificate' })).toBe(TRUST_HINT);
    expect(hint({ stderr: 'fatal: unable to access: SSL connection timeout' })).toBe('check the network');
    expect(hint({ stderr: "fatal: unable to access 'https://git.example/b.git/': CONNECT tunnel failed, response 407" })).toBe(PROXY_AUTH_HINT);
    expect(hint({ stderr: "fatal: unable to access 'https://git.example/b.git/': Received HTTP code 407 from proxy after CONNECT" })).toBe(PROXY_AUTH_HINT);
    expect(hint({ stderr: "fatal: unable to access 'https://git.example/b.git/': CONNECT tunnel failed, response 403" })).toMatch(/no_proxy/);
    expect(hint({ stderr: "fatal: unable to access 'http://git.example/b.git/': The requested URL returned error: 407" })).toBe(PROXY_AUTH_HINT);
  });
});
