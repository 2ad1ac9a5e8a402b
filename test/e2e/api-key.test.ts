/**
 * The API key end to end, through the built CLI: read from the variable the plan names, sent to the
 * stand-in speaches (which refuses every route but /health without it), and found nowhere in what
 * the drill writes — NDJSON, report.json, report.md, junit.xml, service.log.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/sample.js';
import { writeStandinPlan } from '../helpers/standin-drill.js';

const KEY = 'sk-e2e-9f8e7d6c5b4a39281706';
let tmp = '';
let planFile = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-apikey-'));
  planFile = await writeStandinPlan(path.join(tmp, 'plans'), 'speaches', await freePort(), {
    api: 'speaches',
    service: { ready: { path: '/health', timeoutSec: 30 }, apiKeyEnv: 'SPEACHES_API_KEY' },
    assertions: [{ name: 'mandarin sample', api: 'openai', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务' } }],
  });
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('service.apiKeyEnv', () => {
  it('a variable that is not set is a usage error naming it, before any step runs', async () => {
    const result = await runCli(['drill', '--plan', planFile, '--yes', '--json'], { cwd: tmp, env: { SPEACHES_API_KEY: undefined } });
    expect(result.code, describeRun(result)).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('service.apiKeyEnv names SPEACHES_API_KEY, and SPEACHES_API_KEY is not set');
  });

  it('drills with the key, and the key is in nothing the drill wrote', async () => {
    const reports = path.join(tmp, 'reports');
    const result = await runCli(['drill', '--plan', planFile, '--tag', 'v1.2-config-tuned', '--json', '--report-dir', reports], {
      cwd: tmp,
      // The stand-in reads its key from API_KEY, as speaches does; the drill from the plan's variable.
      env: { SPEACHES_API_KEY: KEY, API_KEY: KEY, GRADIO_TEMP_DIR: path.join(tmp, 'uploads') },
      timeoutMs: 120_000,
    });
    expect(result.code, describeRun(result)).toBe(0);
    const [folder] = await readdir(path.join(reports, 'speaches'));
    const dir = path.join(reports, 'speaches', folder!);
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md', 'service.log']);
    const written: Record<string, string> = { ndjson: result.stdout, stderr: result.stderr };
    for (const file of await readdir(dir)) written[file] = await readFile(path.join(dir, file), 'utf8');
    for (const [name, text] of Object.entries(written)) expect(text.includes(KEY), `${name} holds the key`).toBe(false);
    // The calls did carry it: the service answered what it refuses without one.
    expect(written['service.log']).toMatch(/"POST \/v1\/audio\/transcriptions HTTP\/1\.1" 200/);
    expect(JSON.parse(written['report.json']!)).toMatchObject({ verdict: 'passed', assertions: [{ passed: true }, { name: 'restored model in use', passed: true }, { name: 'no network needed', passed: true }] });
  });
});
