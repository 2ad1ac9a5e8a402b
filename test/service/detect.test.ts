/** detectService against the stand-in answering as each server, and `whisper-drill probe` printing it. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectService } from '../../src/service/detect.js';
import { describeRun, runCli } from '../helpers/cli.js';
import { standinTree, startStandin, type RunningStandin } from '../helpers/standin-service.js';

const KEY = 'sk-probe-5a4b3c2d1e';
let tmp = '';
let tree = '';
const running: RunningStandin[] = [];
const start = async (api: string, env?: Record<string, string>) => {
  const service = await startStandin(tree, api, env);
  running.push(service);
  return service;
};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-detect-'));
  tree = await standinTree(path.join(tmp, 'tree'));
});
afterAll(async () => {
  for (const service of running) await service.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('detectService', () => {
  it('Gradio 5 and 6: version and the endpoint found from /info', async () => {
    const five = await start('gradio-5');
    expect(await detectService(five.url)).toEqual({ url: five.url, api: 'gradio', server: 'Gradio', version: '5.9.1', endpoint: '/predict', readyPath: '/', needsKey: false });
    const six = await start('gradio-6');
    expect(await detectService(six.url)).toMatchObject({ api: 'gradio', version: '6.25.0', endpoint: '/transcribe' });
  });

  it('speaches: knows it wants a key; with the key, names its model; with a wrong one, says so', async () => {
    const speaches = await start('speaches', { API_KEY: KEY });
    expect(await detectService(speaches.url)).toEqual({
      url: speaches.url,
      api: 'openai',
      server: 'speaches',
      version: '0.9.0',
      endpoint: '/v1/audio/transcriptions',
      readyPath: '/health',
      needsKey: true,
    });
    expect(await detectService(speaches.url, { apiKey: KEY })).toMatchObject({ model: 'Systran/faster-whisper-large-v3', needsKey: false });
    await expect(detectService(speaches.url, { apiKey: 'sk-wrong' })).rejects.toThrow('/v1/models → 403: the key was refused');
  });

  it('whisper.cpp and whisper-asr-webservice', async () => {
    const cpp = await start('whisper-cpp');
    expect(await detectService(cpp.url)).toMatchObject({ api: 'whisper-cpp', server: 'whisper.cpp server', endpoint: '/inference', readyPath: '/health' });
    const asr = await start('asr-webservice');
    expect(await detectService(asr.url)).toMatchObject({ api: 'asr-webservice', version: '1.9.1', endpoint: '/asr' });
  });

  it('nothing listening', async () => {
    await expect(detectService('http://127.0.0.1:1')).rejects.toThrow('http://127.0.0.1:1 does not answer');
  });
});

describe('whisper-drill probe', () => {
  it('prints the detection, plain or as JSON, with the key read from the named variable', async () => {
    const speaches = await start('speaches', { API_KEY: KEY });
    const plain = await runCli(['probe', speaches.url, '--api-key-env', 'PROBE_KEY'], { cwd: tmp, env: { PROBE_KEY: KEY } });
    expect(plain.code, describeRun(plain)).toBe(0);
    expect(plain.stdout.split('\n')).toEqual([
      `${speaches.url}: speaches 0.9.0 (api: openai)`,
      '  endpoint   /v1/audio/transcriptions (model Systran/faster-whisper-large-v3)',
      '  ready      GET /health',
      '  API key    not asked for',
      '',
    ]);
    expect(plain.stdout + plain.stderr).not.toContain(KEY);
    const json = await runCli(['probe', speaches.url, '--json'], { cwd: tmp });
    expect(JSON.parse(json.stdout)).toMatchObject({ detected: true, api: 'openai', server: 'speaches', needsKey: true });
    const nothing = await runCli(['probe', 'http://127.0.0.1:1', '--json'], { cwd: tmp });
    expect(nothing.code).toBe(1);
    expect(JSON.parse(nothing.stdout)).toMatchObject({ detected: false, error: 'http://127.0.0.1:1 does not answer (is the service running?)' });
    const unset = await runCli(['probe', speaches.url, '--api-key-env', 'NOT_SET_ANYWHERE'], { cwd: tmp, env: { NOT_SET_ANYWHERE: undefined } });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('--api-key-env names NOT_SET_ANYWHERE, and NOT_SET_ANYWHERE is not set');
  });
});
