/**
 * A drill against each server as it answers today, played by the sample's stand-in (`app.py --api`):
 * Gradio 6.25 (a function-named endpoint beside a private one; error events with a payload),
 * speaches 0.9 behind an API key, whisper.cpp 1.9 (errors as 400/500), whisper-asr-webservice.
 * Each is a whole drill: the engine restores, starts the service, asserts over HTTP, tears down.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standinDrill } from '../helpers/standin-drill.js';

const mandarin = { name: 'mandarin sample', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务', maxCER: 0.1 } };
const silence = { name: 'silence control', audio: 'example/silence.wav', expect: { empty: true } };
/** A file that is not audio: the server's decoder fails, and its message must reach the operator. */
const notAudio = { name: 'not audio', audio: 'config.yaml', expect: { contains: 'x' } };
const KEY = 'sk-standin-0123456789abcdef';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-services-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('Gradio 6.25', () => {
  it('passes: the public /transcribe is found from /info (not the private endpoint), the language goes in', async () => {
    const run = await standinDrill(tmp, 'gradio6', { api: 'gradio-6', assertions: [{ ...mandarin, api: 'gradio' }, { ...silence, api: 'gradio' }] });
    expect(run.record.verdict, JSON.stringify(run.record.steps)).toBe('passed');
    expect(run.assertion('mandarin sample')).toMatchObject({ passed: true, actual: '歡迎使用 Whisper 服务。' });
    expect(run.assertion('mandarin sample').detail).toContain('gradio 6.25.0 /gradio_api/call/transcribe');
    expect(run.assertion('silence control')).toMatchObject({ passed: true, actual: '' });
  });

  it("fails on an error event, showing the server's message", async () => {
    const run = await standinDrill(tmp, 'gradio6-error', { api: 'gradio-6', assertions: [{ ...notAudio, api: 'gradio' }] });
    expect(run.record.verdict).toBe('failed');
    expect(run.assertion('not audio').detail).toMatch(/^gradio 6\.25\.0 \/transcribe: the app raised an error: Failed to load audio: .*config\.yaml: Invalid data found/);
    const assertStep = run.record.steps.find((s) => s.id === 'assert');
    expect(assertStep?.error?.message).toContain('Failed to load audio');
  });
});

describe('speaches 0.9 with an API key', () => {
  const plan = {
    api: 'speaches',
    // /health answers without a key, so the readiness probe sends none.
    service: { ready: { path: '/health', timeoutSec: 30 }, apiKeyEnv: 'SPEACHES_API_KEY' },
    assertions: [{ ...mandarin, api: 'openai', model: 'Systran/faster-whisper-large-v3' }, { ...silence, api: 'openai' }],
  };

  it('passes with the key', async () => {
    const run = await standinDrill(tmp, 'speaches', plan, { apiKey: KEY, env: { API_KEY: KEY } });
    expect(run.record.verdict, JSON.stringify(run.record.steps)).toBe('passed');
    expect(run.assertion('mandarin sample')).toMatchObject({ passed: true });
    expect(run.record.steps.find((s) => s.id === 'start')?.summary).toContain('/health answered HTTP 200');
  });

  it('fails with a wrong key: "the key was refused", in the server\'s words too', async () => {
    const run = await standinDrill(tmp, 'speaches-wrong', plan, { apiKey: 'sk-wrong', env: { API_KEY: KEY } });
    expect(run.record.verdict).toBe('failed');
    expect(run.assertion('mandarin sample').detail).toBe(
      `POST http://127.0.0.1:${run.port}/v1/audio/transcriptions → 403: the key was refused (Invalid API key. The provided API key is incorrect.)`,
    );
  });

  it('fails without a key: "the service wants an API key"', async () => {
    const run = await standinDrill(tmp, 'speaches-nokey', { ...plan, service: { ready: { path: '/health' } } }, { env: { API_KEY: KEY } });
    expect(run.record.verdict).toBe('failed');
    expect(run.assertion('mandarin sample').detail).toContain('403: the service wants an API key (set service.apiKeyEnv) (API key required.');
  });

  it('fails at start when the readiness probe needs the key and has none', async () => {
    const run = await standinDrill(tmp, 'speaches-probe', { ...plan, service: { ready: { path: '/v1/models', timeoutSec: 30 } } }, { env: { API_KEY: KEY } });
    const start = run.record.steps.find((s) => s.id === 'start');
    expect(start?.status).toBe('failed');
    expect(start?.error?.message).toBe(`http://127.0.0.1:${run.port}/v1/models answered HTTP 403: the service wants an API key (set service.apiKeyEnv)`);
  });
});

describe('whisper.cpp 1.9 server', () => {
  it('passes, and a decoding failure is its 500 with its own message', async () => {
    const run = await standinDrill(tmp, 'whispercpp', {
      api: 'whisper-cpp',
      service: { ready: { path: '/health', timeoutSec: 30 } },
      assertions: [{ ...mandarin, api: 'whisper-cpp' }, { ...notAudio, api: 'whisper-cpp', required: false }],
    });
    expect(run.record.verdict, JSON.stringify(run.record.steps)).toBe('passed');
    expect(run.assertion('mandarin sample')).toMatchObject({ passed: true, actual: ' 歡迎使用 Whisper 服务。' });
    expect(run.assertion('not audio')).toMatchObject({
      passed: false,
      detail: `POST http://127.0.0.1:${run.port}/inference → 500: FFmpeg conversion failed.`,
    });
  });
});

describe('whisper-asr-webservice', () => {
  it('passes (ready is its redirect to /docs; JSON labelled text/plain)', async () => {
    const run = await standinDrill(tmp, 'asr', { api: 'asr-webservice', assertions: [{ ...mandarin, api: 'asr-webservice' }] });
    expect(run.record.verdict, JSON.stringify(run.record.steps)).toBe('passed');
    expect(run.record.steps.find((s) => s.id === 'start')?.summary).toContain('answered HTTP 307');
  });
});
