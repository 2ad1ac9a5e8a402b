/**
 * The core of `init`: the plan's name, the GPU expectations from the NVIDIA check (a recorded A100
 * node on PATH, and a node without nvidia-smi), and the commented plan text, which the loader accepts.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameFromRepo, type PlanAnswers } from '../../src/init/answers.js';
import { gpuExpectation } from '../../src/init/gpu.js';
import { renderPlanText } from '../../src/init/plan-text.js';
import { parsePlan } from '../../src/plan/load.js';
import { packageRoot } from '../../src/paths.js';
import type { ServiceDetection } from '../../src/service/detect.js';
import { makeFakeBin, withPath } from '../helpers/fake-bin.js';

const recorded = (name: string) => path.join(packageRoot, 'fixtures', 'recorded', name);
let tmp = '';
let a100 = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-init-plan-'));
  a100 = path.join(tmp, 'a100');
  await mkdir(a100);
  await makeFakeBin(a100, 'nvidia-smi', {
    stdoutFile: recorded('nvidia-smi-header-a100.txt'),
    cases: [{ argsInclude: '--query-gpu', stdoutFile: recorded('nvidia-smi-query-a100.csv') }],
  });
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const answers: PlanAnswers = {
  name: 'whisper-backup',
  repo: 'https://git.example.internal/ops/whisper-backup.git',
  tags: 'v*',
  install: ['python3 -m venv .venv', ".venv/bin/pip install -r 'requirements.txt'"],
  start: '.venv/bin/python app.py',
  url: 'http://127.0.0.1:8000',
  apiKeyEnv: 'SPEACHES_API_KEY',
  audio: 'example/test_cn.wav',
  expect: '欢迎使用Whisper服务: "quoted"',
  language: 'zh',
  reportDir: 'drill-reports',
};
const speaches: ServiceDetection = {
  url: 'http://127.0.0.1:8000', api: 'openai', server: 'speaches', version: '0.9.0', endpoint: '/v1/audio/transcriptions',
  model: 'Systran/faster-whisper-large-v3', readyPath: '/health', needsKey: true,
};

describe('init: the plan it writes', () => {
  it('names the plan after the repository', () => {
    expect(nameFromRepo('https://git.example.internal/ops/whisper-backup.git')).toBe('whisper-backup');
    expect(nameFromRepo('git@host:ops/Whisper Backup.git')).toBe('Whisper-Backup');
    expect(nameFromRepo('builtin:sample-backup')).toBe('sample-backup');
    expect(nameFromRepo('file:///')).toBe('whisper');
  });

  it("takes the GPU expectations from this node's NVIDIA check", async () => {
    expect(await gpuExpectation({ env: withPath(a100) })).toMatchObject({ required: true, cuda: '>=12.4', measured: expect.stringContaining('A100') });
    expect(await gpuExpectation({ env: { PATH: path.join(tmp, 'empty') } })).toMatchObject({ required: false, measured: expect.stringContaining('nvidia-smi not found') });
  });

  it('writes commented YAML with the schema header that the plan loader accepts as it was answered', async () => {
    const gpu = await gpuExpectation({ env: withPath(a100) });
    const text = renderPlanText({ answers, service: speaches, gpu, schemaRef: './plan.schema.json', newestTag: 'v1.3' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./plan.schema.json');
    expect(text).toContain('# probed at http://127.0.0.1:8000: speaches 0.9.0, api openai');
    const plan = parsePlan(text, 'drills/whisper-backup.yaml');
    expect(plan.snapshot.repo).toBe(answers.repo);
    expect(plan.install).toEqual(answers.install);
    expect(plan.environment.nvidia).toEqual({ required: true, cuda: '>=12.4', minFreeMiB: 10240 });
    expect(plan.environment.ports).toEqual([8000]);
    expect(plan.service).toMatchObject({ start: answers.start, url: answers.url, apiKeyEnv: 'SPEACHES_API_KEY', ready: { path: '/health' } });
    expect(plan.assertions).toEqual([
      expect.objectContaining({ api: 'openai', model: speaches.model, audio: answers.audio, language: 'zh', expect: { contains: answers.expect, maxCER: 0.1 }, required: true }),
      expect.objectContaining({ kind: 'gpu-memory', gpuMemoryMiB: { min: 8000, max: 12000 }, required: true }),
    ]);
  });
});
