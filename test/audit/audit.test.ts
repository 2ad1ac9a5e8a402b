/**
 * `whisper-drill audit` against the sample backup: in its own LFS store (file://) and behind a real LFS
 * server over HTTPS with Basic auth (test/helpers/lfs-server.ts), each object asked about without
 * downloading it. An object removed, one cut short, an unreachable server.
 */
import { readFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.js';
import { repoRoot } from '../helpers/cli.js';
import { auditBackup } from '../../src/audit/audit.js';
import { neededFiles, requirementFiles } from '../../src/audit/tree-check.js';
import { auditJsonSchemaText } from '../../src/audit/audit-schema.js';
import { parseRemote } from '../../src/snapshot/remote.js';
import { describeRun, runCli } from '../helpers/cli.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { promtool } from '../helpers/promtool.js';
import { startLfsServer, type LfsServer } from '../helpers/lfs-server.js';
import { copyBareRepo, freePort, gitText, lfsObjectFile, sampleBackup } from '../helpers/sample.js';
import { makeTestCa, type TestCa } from '../helpers/tls.js';

/** The demo plan: what a drill of the sample reads (requirements.txt, the audio, the model). */
const demoPlan = () => loadPlan(path.join(repoRoot, 'drills', 'demo.yaml'));

const USER = 'auditor';
const SECRET = 'Audit-S3cret-7Q';
let tmp = '';
let repoDir = '';
let ca: TestCa;
let server: LfsServer | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-audit-'));
  // A copy of the sample backup of the test's own, safe to damage.
  repoDir = await copyBareRepo((await sampleBackup()).repoDir, path.join(tmp, 'served', 'whisper-backup.git'));
  ca = makeTestCa(tmp, 'audit');
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The newest tag's model pointer, read with plain git. */
async function modelOid(): Promise<{ oid: string; size: number }> {
  const pointer = await gitText(['--git-dir', repoDir, 'cat-file', 'blob', 'v1.3-signed-release:models/large-v3.pt']);
  return { oid: /oid sha256:([0-9a-f]{64})/.exec(pointer)![1]!, size: Number(/size (\d+)/.exec(pointer)![1]) };
}

describe('audit of a file:// backup (its LFS store)', () => {
  it('finds every tag restorable, each object asked about once; an object cut short makes every tag that needs it not restorable, named', async () => {
    const remote = parseRemote(`file://${repoDir}`);
    const fine = await auditBackup({ plan: await demoPlan(), remote, pattern: 'v*', cacheRoot: path.join(tmp, 'cache-1'), history: [] });
    expect(fine.rows.map((row) => [row.tag, row.restorable])).toEqual([
      ['v1.3-signed-release', true],
      ['v1.2-config-tuned', true],
      ['v1.1-broken-model', true],
      ['v1.0-model-large-v3', true],
    ]);
    expect(fine.source).toBe('store');
    // Four tags, twelve pointers, four distinct objects
    expect(fine.objects).toBe(4);
    const model = await modelOid();
    const object = lfsObjectFile(repoDir, model.oid);
    const kept = await readFile(object);
    try {
      await truncate(object, model.size - 10);
      const cut = await auditBackup({ plan: await demoPlan(), remote, pattern: 'v*', cacheRoot: path.join(tmp, 'cache-1'), history: [] });
      const needing = cut.rows.filter((row) => !row.restorable);
      expect(needing.length).toBeGreaterThan(0);
      expect(needing[0]!.tag).toBe('v1.3-signed-release');
      expect(needing[0]!.problems).toEqual([`models/large-v3.pt (${model.oid.slice(0, 12)}…): ${model.size - 10} bytes in the store, the pointer says ${model.size}`]);
      expect(cut.missingObjects).toBe(1);
    } finally {
      await writeFile(object, kept);
    }
  });
});

describe('what else a drill of each tag reads', () => {
  it('names a file the drill needs that a tag lacks, and says which tags carry an environment lock', async () => {
    const plan = await demoPlan();
    const wanting = { ...plan, assertions: [...plan.assertions, { ...plan.assertions[0]!, name: 'english sample', audio: 'example/test_en.wav' }] } as typeof plan;
    const result = await auditBackup({ plan: wanting, remote: parseRemote(`file://${repoDir}`), pattern: 'v*', cacheRoot: path.join(tmp, 'cache-3'), history: [] });
    expect(result.rows.map((row) => [row.tag, row.restorable, row.lock, row.wheelhouse])).toEqual([
      ['v1.3-signed-release', false, true, false],
      ['v1.2-config-tuned', false, true, false],
      ['v1.1-broken-model', false, false, false],
      ['v1.0-model-large-v3', false, false, false],
    ]);
    for (const row of result.rows) expect(row.problems).toEqual(['example/test_en.wav is not in the tag (assertion "english sample" read it)']);
  });
});

describe('audit of an HTTPS backup with credentials (Batch API, then a ranged read per object)', () => {
  const env = { AUDIT_USER: USER, AUDIT_TOKEN: SECRET, GIT_SSL_CAINFO: '' };

  async function serve(): Promise<string> {
    server = await startLfsServer({ root: path.dirname(repoDir), username: USER, password: SECRET, tls: { git: ca.server, storage: ca.server } });
    return `${server.url}/whisper-backup.git`;
  }

  async function planFile(url: string): Promise<string> {
    const file = path.join(tmp, `plan-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(
      file,
      YAML.stringify({
        name: 'audited',
        snapshot: { repo: url, tags: 'v*', auth: { usernameEnv: 'AUDIT_USER', passwordEnv: 'AUDIT_TOKEN' } },
        service: { start: 'true', url: 'http://127.0.0.1:9' },
        audit: { mustRestore: 'v1.2-*' },
      }),
    );
    return file;
  }

  it('through the CLI: restorable, read from the server without downloading; an object the server lacks fails the newest tag (exit 1), named, and no password is printed', async () => {
    const url = await serve();
    const plan = await planFile(url);
    const cliEnv = { ...env, GIT_SSL_CAINFO: ca.caFile, HOME: tmp };
    const fine = await runCli(['audit', '--plan', plan, '--report-dir', path.join(tmp, 'reports')], { cwd: tmp, env: cliEnv, timeoutMs: 60_000 });
    expect(fine.code, describeRun(fine)).toBe(0);
    expect(fine.stdout).toMatch(/^v1\.3-signed-release\s+2026-06-01\s+3 files, 64\.1 MiB\s+unchecked\s+yes\s+no\s+yes\s+—$/m);
    expect(fine.stdout).toContain('4 tag(s) of ');
    expect(fine.stdout).toContain('4 LFS object(s) asked of the LFS server (Batch API, then a ranged read of each object), 0 missing or of the wrong size');
    // Each object asked about once, and no whole object sent: one byte each.
    const reads = server!.requests.filter((r) => r.port === 'storage');
    expect(reads).toHaveLength(4);
    for (const read of reads) expect(read.headers.range).toMatch(/^bytes=\d+-$/);

    const model = await modelOid();
    server!.faults.omit = new Set([model.oid]);
    const metrics = path.join(tmp, 'textfile', 'whisper-drill-audit.prom');
    const missing = await runCli(['audit', '--plan', plan, '--json', '--report-dir', path.join(tmp, 'reports'), '--metrics-file', metrics], { cwd: tmp, env: cliEnv, timeoutMs: 60_000 });
    expect(missing.code, describeRun(missing)).toBe(1);
    const lines = missing.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Every line is what the shipped drills/audit.schema.json describes
    const valid = new Ajv2020({ strict: false }).compile(JSON.parse(await readFile(path.join(repoRoot, 'drills', 'audit.schema.json'), 'utf8')) as object);
    for (const line of lines) expect(valid(line), JSON.stringify(valid.errors)).toBe(true);
    expect(lines[0]).toMatchObject({ type: 'audit-tag', tag: 'v1.3-signed-release', restorable: false, mustRestore: true, problems: [`models/large-v3.pt (${model.oid.slice(0, 12)}…): the server answered 404: Object does not exist`] });
    expect(lines.find((line) => line['tag'] === 'v1.2-config-tuned')).toMatchObject({ mustRestore: true });
    expect(lines.at(-1)).toMatchObject({ type: 'audit-end', tags: 4, missingObjects: 1, exitCode: 1 });
    expect(missing.stdout + missing.stderr + fine.stdout + fine.stderr).not.toContain(SECRET);
    // The metrics: a gauge per tag, the one that must be restorable at 0 — what the shipped alert fires on
    const text = await readFile(metrics, 'utf8');
    const host = os.hostname();
    expect(text).toContain(`whisper_drill_audit_restorable{plan="audited",host="${host}",tag="v1.3-signed-release",must="true"} 0`);
    expect(text).toContain(`whisper_drill_audit_restorable{plan="audited",host="${host}",tag="v1.1-broken-model",must="false"} 1`);
    expect(text).toContain(`whisper_drill_audit_objects_missing{plan="audited",host="${host}"} 1`);
    expect(text).toContain(`whisper_drill_audit_exit_code{plan="audited",host="${host}"} 1`);
    expect(await promtool(['check', 'metrics'], { input: text })).toEqual({ code: 0, output: '' });
    expect(text).not.toContain(SECRET);
  });

  it('an object the server holds cut short: the ranged read\'s total says so (the Batch API echoes the pointer\'s size)', async () => {
    const url = await serve();
    const model = await modelOid();
    const object = lfsObjectFile(repoDir, model.oid);
    const kept = await readFile(object);
    try {
      await truncate(object, model.size - 1000);
      const result = await auditBackup({ plan: await demoPlan(), remote: parseRemote(url, { usernameEnv: 'AUDIT_USER', passwordEnv: 'AUDIT_TOKEN' }, env), pattern: 'v1.3*', cacheRoot: path.join(tmp, 'cache-2'), history: [], env: { GIT_SSL_CAINFO: ca.caFile } });
      expect(result.rows).toHaveLength(1);
      expect(result.rows[0]!.problems).toEqual([`models/large-v3.pt (${model.oid.slice(0, 12)}…): the server holds ${model.size - 1000} bytes, the pointer says ${model.size}`]);
    } finally {
      await writeFile(object, kept);
    }
  });

  it('a connection lost or a busy server is asked again, as a restore would; one that stays busy ends the audit, never a tag', async () => {
    const url = await serve();
    // git-lfs's own retry settings, through git's environment: two retries, none waited for
    const retries = { GIT_SSL_CAINFO: ca.caFile, GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'lfs.transfer.maxretries', GIT_CONFIG_VALUE_0: '2', GIT_CONFIG_KEY_1: 'lfs.transfer.maxretrydelay', GIT_CONFIG_VALUE_1: '0' };
    const remote = parseRemote(url, { usernameEnv: 'AUDIT_USER', passwordEnv: 'AUDIT_TOKEN' }, env);
    server!.faults.closeBeforeAnswer = 2;
    const before = server!.requests.length;
    const dropped = await auditBackup({ plan: await demoPlan(), remote, pattern: 'v1.3*', cacheRoot: path.join(tmp, 'cache-4'), history: [], env: retries });
    expect(dropped.rows[0]).toMatchObject({ restorable: true, problems: [] });
    // Three objects, two of the reads lost once each (or one twice) and asked again
    expect(server!.requests.slice(before).filter((r) => r.port === 'storage')).toHaveLength(5);
    server!.faults.downloadStatus = 503;
    await expect(auditBackup({ plan: await demoPlan(), remote, pattern: 'v1.3*', cacheRoot: path.join(tmp, 'cache-4'), history: [], env: retries })).rejects.toThrow(
      /^the download link of [0-9a-f]{12}… at 127\.0\.0\.1:\d+ kept answering HTTP 503 \(3 tries\)$/,
    );
  });

  it('a server that cannot be reached: exit 3, naming it', async () => {
    const port = await freePort();
    const plan = await planFile(`https://127.0.0.1:${port}/whisper-backup.git`);
    const result = await runCli(['audit', '--plan', plan], { cwd: tmp, env: { ...env, HOME: tmp }, timeoutMs: 60_000 });
    expect(result.code, describeRun(result)).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^whisper-drill audit: https://127\\.0\\.0\\.1:${port}/whisper-backup\\.git: `));
  });
});

describe('the files a plan reads from the restored tree', () => {
  it('are the requirement files its install commands name and its assertions\' audio, each once', async () => {
    const plan = await demoPlan();
    const files = neededFiles({ ...plan, install: ['python3 -m venv .venv', '.venv/bin/pip install -r requirements-gpu.txt --requirement=./extra.txt', 'pip install -r requirements-gpu.txt'] } as typeof plan);
    expect(files).toEqual([
      { path: 'requirements-gpu.txt', by: 'the install commands' },
      { path: 'extra.txt', by: 'the install commands' },
      { path: 'example/test_cn.wav', by: 'assertion "mandarin sample"' },
      { path: 'example/silence.wav', by: 'assertion "silence control"' },
    ]);
  });

  it('takes -r only from a pip install: not from rm -rf or cp -r, and quoted paths whole', () => {
    expect(requirementFiles('rm -rf .venv && cp -r ./config /tmp/x')).toEqual([]);
    expect(requirementFiles('python3 -m pip install --no-index -r "requirements gpu.txt" && echo -r nope')).toEqual(['requirements gpu.txt']);
    expect(requirementFiles('.venv/bin/pip3 install -r=./req.txt; pip freeze -r other.txt')).toEqual(['req.txt']);
  });
});

describe('drills/audit.schema.json', () => {
  it('ships as generated from the lines\' one source', async () => {
    const shipped = await readFile(path.join(repoRoot, 'drills', 'audit.schema.json'), 'utf8');
    expect(shipped, 'drills/audit.schema.json is stale: regenerate it with `npm run schema` and commit it').toBe(auditJsonSchemaText());
  });
});

describe("a tag's own .lfsconfig", () => {
  it('sends its objects to the lfs.url it names, as git-lfs and a restore would; the other tags stay with the store', async () => {
    const lfsServer = await startLfsServer({ root: path.dirname(repoDir), username: USER, password: SECRET });
    try {
      const bare = await copyBareRepo(repoDir, path.join(tmp, 'with-lfsconfig', 'whisper-backup.git'));
      const work = path.join(tmp, 'with-lfsconfig', 'work');
      const env = { ...process.env, GIT_LFS_SKIP_SMUDGE: '1' };
      const { execa } = await import('execa');
      await execa('git', ['clone', '-q', '--branch', 'v1.3-signed-release', bare, work], { env });
      const endpoint = `${lfsServer.url.replace('http://', `http://${USER}:${SECRET}@`)}/whisper-backup.git/info/lfs`;
      await writeFile(path.join(work, '.lfsconfig'), `[lfs]\n\turl = ${endpoint}\n`);
      await execa('git', ['-C', work, 'add', '.lfsconfig'], { env });
      await execa('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'objects elsewhere'], { env });
      await execa('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@t', 'tag', '-a', '-m', 'v2.0', 'v2.0-lfsconfig'], { env });
      await execa('git', ['-C', work, '-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'v2.0-lfsconfig'], { env });

      const result = await auditBackup({ plan: await demoPlan(), remote: parseRemote(`file://${bare}`), pattern: 'v*', cacheRoot: path.join(tmp, 'cache-5'), history: [] });
      expect(result.rows.map((row) => [row.tag, row.restorable])).toEqual([
        ['v2.0-lfsconfig', true],
        ['v1.3-signed-release', true],
        ['v1.2-config-tuned', true],
        ['v1.1-broken-model', true],
        ['v1.0-model-large-v3', true],
      ]);
      // v2.0's objects were asked of its lfs.url (the Batch API, then one ranged read each); the store answered for the rest
      expect(lfsServer.requests.filter((r) => r.path.endsWith('/info/lfs/objects/batch'))).toHaveLength(1);
      expect(lfsServer.requests.filter((r) => r.port === 'storage')).toHaveLength(3);
      expect(result.source).toBe('server');
      expect(JSON.stringify(result)).not.toContain(SECRET);
    } finally {
      await lfsServer.stop();
    }
  });
});
