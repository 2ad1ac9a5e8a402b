/**
 * Drills of the sample backup served over HTTP by git's own smart-HTTP backend and an LFS Batch API
 * behind Basic auth (test/helpers/lfs-server.ts): every way credentials reach git and the transfer,
 * and every fault the transfer must survive or name; then the same over HTTPS with a CA of the
 * operator's own; then through a company proxy. Each drill stops after verify (no service).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDrill } from '../../src/core/engine.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord } from '../../src/model/record.js';
import { parsePlan } from '../../src/plan/load.js';
import { writeOutputs } from '../../src/outputs/index.js';
import type { SampleBackup } from '../../src/sample/build.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { startLfsServer, type LfsServer, type LfsServerOptions } from '../helpers/lfs-server.js';
import { sampleBackup } from '../helpers/sample.js';
import { makeTestCa, type TestCa } from '../helpers/tls.js';
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';
import { runCli } from '../helpers/cli.js';
import { openConnections, request } from '../../src/snapshot/lfs/http-client.js';
import { proxiesFrom } from '../../src/snapshot/lfs/proxy.js';
import { PROXY_AUTH_HINT } from '../../src/snapshot/trust.js';

const USER = 'drill-bot';
const SECRET = 'glpat-Zq8x3Vt1s3cr3tT0k3n';

let tmp = '';
let sample: SampleBackup;
let server: LfsServer;
let repoName = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-http-'));
  sample = await sampleBackup();
  repoName = path.basename(sample.repoDir);
});

afterEach(async () => {
  await server?.stop();
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function serve(faults: LfsServerOptions['faults'] = {}, tls?: LfsServerOptions['tls']): Promise<string> {
  server = await startLfsServer({ root: path.dirname(sample.repoDir), username: USER, password: SECRET, faults, ...(tls ? { tls } : {}) });
  return `${server.url}/${repoName}`;
}

/** Every process's command line on this host, right now. */
async function allArgv(): Promise<string> {
  const lines: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    lines.push((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' '));
  }
  return lines.join('\n');
}

interface Run {
  readonly record: DrillRecord;
  readonly events: DrillEvent[];
  /** Command lines sampled while git and the transfer ran. */
  readonly argv: string;
  readonly files: string;
}

async function drill(snapshot: Record<string, unknown>, env: Record<string, string> = {}, tag = 'v1.2-config-tuned', control?: { abort: AbortController; when: (event: DrillEvent) => boolean }): Promise<Run> {
  const dir = await mkdtemp(path.join(tmp, 'run-'));
  const plan = parsePlan(YAML.stringify({ name: 'http-drill', snapshot, service: { start: 'true', url: 'http://127.0.0.1:9' } }), path.join(dir, 'plan.yaml'));
  const events: DrillEvent[] = [];
  const samples: Array<Promise<string>> = [];
  let sampledAt = 0;
  const record = await runDrill(
    headlessOptions(plan, dir, { tag, env: { HOME: dir, ...env }, stopAfter: 'verify', save: writeOutputs, ...(control ? { signal: control.abort.signal } : {}) }),
    (event) => {
      events.push(event);
      if (control?.when(event) && !control.abort.signal.aborted) control.abort.abort(new Error('aborted by the operator'));
      // While git clones and objects arrive: what would `ps` show any user of the host?
      const during = (event.type === 'log' || event.type === 'progress' || event.type === 'step-start') && event.step === 'fetch';
      if (during && performance.now() - sampledAt > 50) {
        sampledAt = performance.now();
        samples.push(allArgv());
      }
    },
  );
  const files = (await Promise.all(['report.json', 'report.md', 'junit.xml'].map((f) => readFile(path.join(record.reportDir, f), 'utf8')))).join('\n');
  return { record, events, argv: (await Promise.all(samples)).join('\n'), files };
}

const statusOf = (run: Run, id: string) => run.record.steps.find((s) => s.id === id);

/** The verdict, and nothing left behind: the workspace is gone, with no half-written object in it. */
function expectVerdictAndNothingLeft(run: Run, verdict: 'failed' | 'inconclusive'): void {
  expect(run.record.verdict, JSON.stringify(run.record.steps.filter((s) => s.error).map((s) => [s.id, s.error]))).toBe(verdict);
  expect(existsSync(run.record.workdir), run.record.workdir).toBe(false);
}

function expectNoSecret(run: Run): void {
  expect(JSON.stringify(run.events)).not.toContain(SECRET);
  expect(run.files).not.toContain(SECRET);
  expect(run.argv).not.toContain(SECRET);
}

function expectRestored(run: Run): void {
  // Stopped after verify, so never "passed": nothing was installed or asserted.
  expectVerdictAndNothingLeft(run, 'inconclusive');
  expect(statusOf(run, 'fetch'), JSON.stringify(run.record.steps)).toMatchObject({ status: 'passed' });
  expect(statusOf(run, 'verify')).toMatchObject({ status: 'passed' });
  expect(run.record.lfs.files.map((f) => f.verified)).toEqual([true, true, true]);
}

describe('an HTTPS-style remote with Basic auth', () => {
  it('takes the credentials from the environment variables the plan names; the secret is nowhere', async () => {
    const url = await serve();
    const run = await drill({ repo: `${url}`, auth: { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' } }, { BACKUP_USER: USER, BACKUP_TOKEN: SECRET });
    expectRestored(run);
    expect(run.argv.length).toBeGreaterThan(0);
    expectNoSecret(run);
    // The objects came through the Batch API and the storage host, which got its own header and no password.
    const downloads = server.requests.filter((r) => r.port === 'storage');
    expect(downloads).toHaveLength(3);
    for (const r of downloads) expect(r.headers.authorization).toBeUndefined();
  });

  it('accepts a URL with the credentials in it, and keeps them out of argv, events and reports', async () => {
    const url = await serve();
    const withSecret = url.replace('http://', `http://${USER}:${SECRET}@`);
    const run = await drill({ repo: withSecret });
    expectRestored(run);
    expectNoSecret(run);
    expect(run.record.snapshot.repo).toBe(url);
  });

  it('asks git\'s credential helpers when the plan names none (credential.helper store)', async () => {
    const url = await serve();
    const home = await mkdtemp(path.join(tmp, 'home-'));
    await writeFile(path.join(home, '.gitconfig'), '[credential]\n\thelper = store\n');
    await writeFile(path.join(home, '.git-credentials'), `${url.replace('http://', `http://${USER}:${SECRET}@`).replace(`/${repoName}`, '')}\n`);
    const run = await drill({ repo: url }, { HOME: home });
    expectRestored(run);
    expectNoSecret(run);
  });

  it('fails at snapshot with a wrong password, naming the remote and the refusal, and not the password', async () => {
    const url = await serve();
    const run = await drill({ repo: url, auth: { tokenEnv: 'BACKUP_TOKEN', username: USER } }, { BACKUP_TOKEN: 'not-the-token-0000' });
    const snapshot = statusOf(run, 'snapshot');
    expect(snapshot?.status).toBe('failed');
    expect(snapshot?.error?.message).toContain(url);
    expect(snapshot?.error?.message).toMatch(/Authentication failed|401/);
    expect(JSON.stringify(run.events)).not.toContain('not-the-token-0000');
    expectVerdictAndNothingLeft(run, 'failed');
    expect(run.files).not.toContain('not-the-token-0000');
  });

  it('is a clear failure when the variable the plan names is not set', async () => {
    const url = await serve();
    const run = await drill({ repo: url, auth: { tokenEnv: 'NO_SUCH_TOKEN_VAR' } });
    expect(statusOf(run, 'snapshot')?.error).toMatchObject({ message: expect.stringContaining('$NO_SUCH_TOKEN_VAR, which is not set') });
  });
});

describe('the LFS transfer against faults', () => {
  const auth = { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' };
  const env = { BACKUP_USER: USER, BACKUP_TOKEN: SECRET };

  it('resumes a connection dropped mid-object with a Range request', async () => {
    const url = await serve({ drop: { afterBytes: 3 * 1024 * 1024, times: 2 } });
    const run = await drill({ repo: url, auth }, env);
    expectRestored(run);
    const ranges = server.requests.filter((r) => r.port === 'storage' && r.headers.range);
    expect(ranges.length).toBeGreaterThanOrEqual(2);
    // It asks for the rest from where its bytes end (what the dropped connection delivered, at most the 3 MiB sent).
    const from = Number(/^bytes=(\d+)-$/.exec(String(ranges[0]!.headers.range))?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(3 * 1024 * 1024);
    expect(statusOf(run, 'fetch')?.summary).toMatch(/resumed transfer/);
  });

  it('stops mid-object when aborted: the drill is aborted, the workspace gone with no partial file, every connection closed', async () => {
    const url = await serve({ throttle: 20 * 1024 * 1024 });
    const abort = new AbortController();
    const midway = (event: DrillEvent) => event.type === 'progress' && event.step === 'fetch' && event.progress.current > 4 * 1024 * 1024;
    const run = await drill({ repo: url, auth: { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' } }, { BACKUP_USER: USER, BACKUP_TOKEN: SECRET }, 'v1.2-config-tuned', { abort, when: midway });
    expect(run.record.verdict).toBe('aborted');
    expect(statusOf(run, 'fetch')?.status).not.toBe('passed');
    expect(existsSync(run.record.workdir)).toBe(false);
    // The server sees every storage connection end: none is left open by the transfer's own sockets.
    await server.storageIdle();
  });

  it('waits out 503 and 429 (Retry-After) on the batch endpoint, then restores', async () => {
    const url = await serve({ batchStatuses: [503, 429], retryAfter: 1 });
    const run = await drill({ repo: url, auth }, env);
    expectRestored(run);
    expect(server.requests.filter((r) => r.path.endsWith('/objects/batch'))).toHaveLength(3);
  });
  // What the transfer must name rather than survive — a server that keeps failing, corrupt or missing
  // objects — is in the fault-injection suite (test/faults/storage.test.ts).
});

describe('an HTTPS remote signed by a company CA', () => {
  const auth = { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' };
  const env = { BACKUP_USER: USER, BACKUP_TOKEN: SECRET };
  let company: TestCa;
  let other: TestCa;
  let trusting: string;
  // GIT_SSL_CAINFO, when the host sets it, comes before http.sslCAInfo for git and for the drill alike.
  const hostCaInfo = process.env['GIT_SSL_CAINFO'];

  afterAll(() => {
    if (hostCaInfo !== undefined) process.env['GIT_SSL_CAINFO'] = hostCaInfo;
  });

  beforeAll(async () => {
    delete process.env['GIT_SSL_CAINFO'];
    const dir = await mkdtemp(path.join(tmp, 'tls-'));
    company = makeTestCa(dir, 'company');
    other = makeTestCa(dir, 'storage-vendor');
    // How an operator trusts the company CA for git: http.sslCAInfo in the git config.
    trusting = path.join(dir, 'gitconfig');
    await writeFile(trusting, `[http]\n\tsslCAInfo = ${company.caFile}\n`);
  });

  it('restores when git trusts the CA (http.sslCAInfo): git and the transfer both check the certificates', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    const run = await drill({ repo: url, auth }, { ...env, GIT_CONFIG_GLOBAL: trusting });
    expectRestored(run);
    expectNoSecret(run);
    expect(server.requests.filter((r) => r.port === 'storage')).toHaveLength(3);
    expect(server.requests.filter((r) => r.path.endsWith('/objects/batch'))).toHaveLength(1);
  });

  it('takes GIT_SSL_CAINFO too, as git does', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    const run = await drill({ repo: url, auth }, { ...env, GIT_SSL_CAINFO: company.caFile });
    expectRestored(run);
  });

  it('fails at snapshot when nothing trusts the CA, naming the remote; no certificate is accepted silently', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    const run = await drill({ repo: url, auth }, env);
    const snapshot = statusOf(run, 'snapshot');
    expect(snapshot?.status).toBe('failed');
    expect(snapshot?.error?.message).toContain(url);
    expect(snapshot?.error?.message).toMatch(/certificate/i);
    expect(snapshot?.error?.hint).toContain('git config --global http.sslCAInfo');
    expectVerdictAndNothingLeft(run, 'failed');
    expect(server.requests.filter((r) => r.path.endsWith('/objects/batch'))).toHaveLength(0);
  });

  it('refuses object storage whose certificate no trusted CA signed: names the host and how to trust it, without retrying', async () => {
    const url = await serve({}, { git: company.server, storage: other.server });
    const run = await drill({ repo: url, auth }, { ...env, GIT_CONFIG_GLOBAL: trusting });
    const fetch = statusOf(run, 'fetch');
    expect(fetch?.status).toBe('failed');
    const storageHost = new URL(server.storageUrl).host;
    expect(fetch?.error?.message).toContain(`the certificate of ${storageHost} was refused`);
    expect(fetch?.error?.message).toContain(`git config http.sslCAInfo (${company.caFile})`);
    expect(fetch?.error?.hint).toContain('http.sslCAInfo');
    // A certificate does not get better with retries: one attempt per object at most, no backoff.
    expect(fetch?.durationMs).toBeLessThan(5_000);
    expectVerdictAndNothingLeft(run, 'failed');
    expectNoSecret(run);
  });
});

describe('an HTTPS remote reached through a company proxy (tinyproxy, Basic auth)', () => {
  const PROXY_USER = 'egress';
  const PROXY_SECRET = 'pr0xy-Pa55-9f2c';
  const auth = { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' };
  let company: TestCa;
  let proxy: Tinyproxy;
  const hostCaInfo = process.env['GIT_SSL_CAINFO'];

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmp, 'proxy-'));
    company = makeTestCa(dir, 'company');
    proxy = await startTinyproxy(dir, PROXY_USER, PROXY_SECRET);
  });
  afterAll(async () => {
    await proxy.stop();
    if (hostCaInfo !== undefined) process.env['GIT_SSL_CAINFO'] = hostCaInfo;
  });

  /** The drill's environment: the backup's credentials, the CA, and the proxy (nothing exempt). */
  const env = (proxyPassword: string) => ({
    BACKUP_USER: USER,
    BACKUP_TOKEN: SECRET,
    GIT_SSL_CAINFO: company.caFile,
    https_proxy: proxy.url.replace('http://', `http://${PROXY_USER}:${proxyPassword}@`),
    no_proxy: '',
    NO_PROXY: '',
  });

  it('restores with git and the transfer both going through the proxy; neither password is anywhere', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    const run = await drill({ repo: url, auth }, env(PROXY_SECRET));
    expectRestored(run);
    expectNoSecret(run);
    for (const text of [JSON.stringify(run.events), run.files, run.argv]) expect(text).not.toContain(PROXY_SECRET);
    const log = await proxy.log();
    // git's tunnel to the git port, the transfer's to the Batch API (same port) and to the storage port.
    expect(log).toContain(`CONNECT ${new URL(url).host}`);
    expect(log).toContain(`CONNECT ${new URL(server.storageUrl).host}`);
    expect(server.requests.filter((r) => r.port === 'storage')).toHaveLength(3);
  });

  it('restores a plain-http remote through it too (http_proxy: requests by absolute URL)', async () => {
    const url = await serve();
    const run = await drill({ repo: url, auth }, { BACKUP_USER: USER, BACKUP_TOKEN: SECRET, http_proxy: proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_SECRET}@`), no_proxy: '' });
    expectRestored(run);
    for (const text of [JSON.stringify(run.events), run.files, run.argv]) expect(text).not.toContain(PROXY_SECRET);
    const log = await proxy.log();
    expect(log).toContain(`POST ${url}/info/lfs/objects/batch`);
    expect(log).toContain(`GET ${server.storageUrl}/`);
  });

  it('prints no password from the built CLI even with DEBUG=* and NODE_DEBUG=undici (the HTTP engine\'s own debug output)', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    const dir = await mkdtemp(path.join(tmp, 'cli-'));
    const planFile = path.join(dir, 'plan.yaml');
    await writeFile(planFile, YAML.stringify({ name: 'proxy-cli', snapshot: { repo: url, auth }, service: { start: 'true', url: 'http://127.0.0.1:9', ready: { timeoutSec: 1 } } }));
    const result = await runCli(['drill', '--plan', planFile, '--tag', 'v1.2-config-tuned', '--yes', '--json', '--report-dir', path.join(dir, 'reports'), '--workdir', path.join(dir, 'work')], {
      cwd: dir,
      env: { ...env(PROXY_SECRET), HOME: dir, DEBUG: '*', NODE_DEBUG: 'undici,fetch' },
      timeoutMs: 120_000,
    });
    const fetched = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as DrillEvent).find((event) => event.type === 'step-end' && event.step === 'fetch');
    expect(fetched, result.stderr).toMatchObject({ status: 'passed' });
    // The engine did speak: its debug lines are there, without the passwords
    expect(result.stderr).toMatch(/^(UNDICI|FETCH) \d+: connecting to /m);
    expect(result.stdout + result.stderr).not.toContain(PROXY_SECRET);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('fails at snapshot when the proxy refuses its password, naming the refusal; the password is nowhere', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    const run = await drill({ repo: url, auth }, env('wrong-Pa55'));
    const snapshot = statusOf(run, 'snapshot');
    expect(snapshot?.status).toBe('failed');
    // tinyproxy answers a bad Proxy-Authorization with 401 (RFC 9110 says 407): git names what came.
    expect(snapshot?.error?.message).toMatch(/CONNECT tunnel failed, response 40[17]/);
    expect(snapshot?.error?.hint).toBe(PROXY_AUTH_HINT);
    expectVerdictAndNothingLeft(run, 'failed');
    for (const text of [JSON.stringify(run.events), run.files]) expect(text).not.toContain('wrong-Pa55');
    expect(server.requests).toHaveLength(0);
  });

  it('names the proxy (without its credentials) and its answer when it refuses the transfer\'s tunnel', async () => {
    const url = await serve({}, { git: company.server, storage: company.server });
    const proxies = proxiesFrom({ https_proxy: env('wrong-Pa55').https_proxy });
    const connections = openConnections({ ca: await readFile(company.caFile, 'utf8'), from: 'the test CA' }, proxies);
    try {
      const refused = request(`${url}/info/lfs/objects/batch`, { method: 'POST', body: '{}', connections });
      await expect(refused).rejects.toThrow(new RegExp(`^the proxy http://\\*\\*\\*@${new URL(proxy.url).host}/ refused to carry the request to ${new URL(url).host}: HTTP 40[17]`));
      await expect(refused).rejects.toMatchObject({ hint: PROXY_AUTH_HINT });
    } finally {
      connections.close();
    }
    expect(server.requests).toHaveLength(0);
  });
});
