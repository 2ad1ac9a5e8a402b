import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan, parsePlan, PlanError } from '../src/plan/load.js';

const drills = path.resolve(import.meta.dirname, '..', 'drills');

/** A minimal valid plan; line numbers below refer to this text. */
const BASE = [
  'name: t', //                                  1
  'snapshot:', //                                2
  '  repo: https://example.invalid/r.git', //    3
  'service:', //                                 4
  '  start: ./run', //                           5
  '  url: http://127.0.0.1:8000', //             6
].join('\n');

function planError(text: string, file = 'drills/x.yaml'): PlanError {
  try {
    parsePlan(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return err as PlanError;
  }
  throw new Error('expected the plan to be rejected');
}

describe('shipped plans', () => {
  it('loads drills/whisper-large-v3.yaml as written in the spec', async () => {
    const file = path.join(drills, 'whisper-large-v3.yaml');
    const plan = await loadPlan(file);
    expect(plan.name).toBe('whisper-large-v3');
    expect(plan.file).toBe(file);
    expect(plan.sha256).toBe(createHash('sha256').update(await readFile(file)).digest('hex'));
    expect(plan.snapshot).toEqual({
      repo: 'https://git.example.internal/ops/whisper-backup.git',
      tags: 'v*',
      requireSignedTag: false,
      allowedSigners: path.join(drills, 'keys', 'allowed_signers'),
    });
    expect(plan.environment).toEqual({
      python: { command: 'python3', version: '>=3.9' },
      nvidia: { required: true, cuda: '>=12.1', minFreeMiB: 10240 },
      torch: { required: true, version: '>=2.1', cuda: true },
      ffmpeg: { required: true, decoders: ['pcm_s16le', 'mp3'] },
      disk: { minFreeGiB: 'auto' },
      ports: [7860],
    });
    expect(plan.install).toEqual(['python3 -m venv .venv', '.venv/bin/pip install -r requirements.txt']);
    expect(plan.installTimeoutSec).toBe(1800);
    expect(plan.service).toEqual({
      start: '.venv/bin/python app.py',
      url: 'http://127.0.0.1:7860',
      ready: { path: '/', timeoutSec: 600 },
      stopTimeoutSec: 10,
      requestTimeoutSec: 300,
      logMaxMiB: 256,
    });
    expect(plan.assertions).toEqual([
      {
        kind: 'transcription',
        name: 'mandarin sample',
        api: 'gradio',
        audio: 'example/test_cn.wav',
        language: 'zh',
        expect: { contains: '欢迎使用Whisper服务', maxCER: 0.1 },
        required: true,
      },
      {
        kind: 'transcription',
        name: 'silence control',
        api: 'gradio',
        audio: 'example/silence.wav',
        expect: { empty: true },
        required: true,
      },
      { kind: 'gpu-memory', name: 'model resident on GPU', gpuMemoryMiB: { min: 8000, max: 12000 }, required: true },
    ]);
    expect(plan.report).toEqual({ dir: 'drill-reports' });
  });

  it('loads drills/demo.yaml: the embedded sample, no GPU required', async () => {
    const plan = await loadPlan(path.join(drills, 'demo.yaml'));
    expect(plan.name).toBe('demo');
    expect(plan.snapshot).toEqual({ repo: 'builtin:sample-backup', tags: 'v*', requireSignedTag: false });
    expect(plan.environment).toEqual({
      python: { command: 'python3', version: '>=3.9' },
      nvidia: { required: false },
      ffmpeg: { required: true, decoders: ['pcm_s16le'] },
      disk: { minFreeGiB: 'auto' },
      ports: [17860],
    });
    expect(plan.install).toEqual([
      'python3 -m venv .venv',
      '.venv/bin/pip install --disable-pip-version-check -r requirements.txt',
    ]);
    expect(plan.installTimeoutSec).toBe(300);
    expect(plan.service).toEqual({
      start: '.venv/bin/python app.py --port 17860',
      url: 'http://127.0.0.1:17860',
      ready: { path: '/', timeoutSec: 60 },
      stopTimeoutSec: 10,
      requestTimeoutSec: 300,
      logMaxMiB: 256,
    });
    expect(plan.assertions.map((a) => [a.name, a.kind, a.required])).toEqual([
      ['mandarin sample', 'transcription', true],
      ['silence control', 'transcription', true],
      ['same sample over the OpenAI-compatible API', 'transcription', true],
      ['model resident on GPU', 'gpu-memory', false],
    ]);
    expect(plan.assertions[0]).toMatchObject({ api: 'gradio', language: 'zh', expect: { contains: '欢迎使用Whisper服务', maxCER: 0.1 } });
    expect(plan.assertions[1]).toMatchObject({ audio: 'example/silence.wav', expect: { empty: true } });
    expect(plan.assertions[2]).toMatchObject({ api: 'openai', audio: 'example/test_cn.wav', expect: { contains: '欢迎使用Whisper服务' } });
    expect(plan.report.dir).toBe('drill-reports');
  });
});

describe('defaults and forms', () => {
  it('fills every default of a minimal plan', () => {
    const plan = parsePlan(BASE, 'drills/min.yaml');
    expect(plan).toEqual({
      name: 't',
      file: path.resolve('drills/min.yaml'),
      sha256: createHash('sha256').update(BASE).digest('hex'),
      snapshot: { repo: 'https://example.invalid/r.git', tags: 'v*', requireSignedTag: false },
      environment: { ports: [] },
      install: [],
      installTimeoutSec: 1800,
      service: { start: './run', url: 'http://127.0.0.1:8000', ready: { path: '/', timeoutSec: 600 }, stopTimeoutSec: 10, requestTimeoutSec: 300, logMaxMiB: 256 },
      assertions: [],
      report: { dir: 'drill-reports' },
      isolation: { home: 'scratch', network: 'namespace' },
    });
  });

  it('fills the defaults of present but empty subsections', () => {
    const plan = parsePlan(
      `${BASE}\nenvironment: { python: {}, nvidia: {}, torch: {}, ffmpeg: {} }\n` +
        'assertions:\n  - { name: a, api: openai, audio: a.wav, expect: { empty: true } }\n  - { name: g, gpuMemoryMiB: { max: 1 } }\n',
      'x.yaml',
    );
    expect(plan.environment).toEqual({
      python: { command: 'python3' },
      nvidia: { required: true },
      torch: { required: true },
      ffmpeg: { required: true, decoders: [] },
      ports: [],
    });
    expect(plan.assertions).toEqual([
      { kind: 'transcription', name: 'a', api: 'openai', audio: 'a.wav', expect: { empty: true }, required: true },
      { kind: 'gpu-memory', name: 'g', gpuMemoryMiB: { max: 1 }, required: true },
    ]);
  });

  it('accepts install as a mapping with a time limit, a numeric disk budget, service env and a command assertion', () => {
    const plan = parsePlan(
      `${BASE}\n  env: { HF_HOME: /cache, WORKERS: "2" }\n` +
        'install: { commands: [make], timeoutSec: 90 }\n' +
        'environment: { disk: { minFreeGiB: 12.5 }, python: { version: ">=2.1, <3" } }\n' +
        'assertions:\n  - name: cli\n    api: command\n    command: ./transcribe --lang zh\n    audio: a.wav\n    expect: { contains: hi }\n',
      'x.yaml',
    );
    expect(plan.install).toEqual(['make']);
    expect(plan.installTimeoutSec).toBe(90);
    expect(plan.environment.disk).toEqual({ minFreeGiB: 12.5 });
    expect(plan.environment.python).toEqual({ command: 'python3', version: '>=2.1, <3' });
    expect(plan.service.env).toEqual({ HF_HOME: '/cache', WORKERS: '2' });
    expect(plan.assertions[0]).toMatchObject({ api: 'command', command: './transcribe --lang zh' });
  });

  it('accepts the ready statuses of the service; without them any 2xx or 3xx counts (left to the probe)', () => {
    const plan = parsePlan(`${BASE}\n  ready: { path: /health, statuses: [200, 401] }\n`, 'x.yaml');
    expect(plan.service.ready).toEqual({ path: '/health', timeoutSec: 600, statuses: [200, 401] });
    expect(parsePlan(BASE, 'x.yaml').service.ready).not.toHaveProperty('statuses');
    expect(
      planError(`${BASE}\n  ready:\n    statuses: [99, 200.5, "204", 600]\n`).issues.map((i) => `${i.line}:${i.col} ${i.key}: ${i.message}`),
    ).toEqual([
      '8:16 service.ready.statuses[0]: must be at least 100, got 99',
      '8:20 service.ready.statuses[1]: expected an integer, got 200.5',
      '8:27 service.ready.statuses[2]: expected an integer, got "204"',
      '8:34 service.ready.statuses[3]: must be at most 599, got 600',
    ]);
    expect(planError(`${BASE}\n  ready: { statuses: [] }\n`).message).toBe('drills/x.yaml:7:22: service.ready.statuses: must not be empty');
    expect(planError(`${BASE}\n  ready: { statuses: 200 }\n`).message).toBe(
      'drills/x.yaml:7:22: service.ready.statuses: expected a list, got 200',
    );
  });

  it('accepts the name of the variable holding the API key, never the key; and whether the probe sends it', () => {
    const plan = parsePlan(`${BASE}\n  apiKeyEnv: SPEACHES_API_KEY\n  ready: { path: /v1/models, sendApiKey: true }\n`, 'x.yaml');
    expect(plan.service.apiKeyEnv).toBe('SPEACHES_API_KEY');
    expect(plan.service.ready).toEqual({ path: '/v1/models', timeoutSec: 600, sendApiKey: true });
    expect(parsePlan(BASE, 'x.yaml').service).not.toHaveProperty('apiKeyEnv');
    expect(planError(`${BASE}\n  apiKeyEnv: sk-abc123\n`).message).toBe(
      'drills/x.yaml:7:14: service.apiKeyEnv: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got "sk-abc123"',
    );
    expect(planError(`${BASE}\n  ready: { sendApiKey: "no" }\n`).message).toBe('drills/x.yaml:7:24: service.ready.sendApiKey: expected a boolean, got "no"');
    expect(planError(`${BASE}\n  apiKeyEnvv: X\n`).message).toBe('drills/x.yaml:7:3: service.apiKeyEnvv: unknown key (did you mean "apiKeyEnv"?)');
  });

  it('accepts every version range the probes can compare: ==, =, != and blanks included', () => {
    const plan = parsePlan(`${BASE}\nenvironment:\n  torch: { version: "== 2.1" }\n  nvidia: { cuda: ">=12.1, !=12.3" }\n`, 'x.yaml');
    expect(plan.environment.torch?.version).toBe('== 2.1');
    expect(plan.environment.nvidia?.cuda).toBe('>=12.1, !=12.3');
  });

  it('resolves allowedSigners against the plan directory, keeps report.dir as written', () => {
    const plan = parsePlan(
      BASE.replace('snapshot:\n', 'snapshot:\n  requireSignedTag: true\n  allowedSigners: keys/signers\n') + '\nreport: { dir: out/r }\n',
      '/srv/plans/p.yaml',
    );
    expect(plan.snapshot.allowedSigners).toBe('/srv/plans/keys/signers');
    expect(plan.snapshot.requireSignedTag).toBe(true);
    expect(plan.report.dir).toBe('out/r');
  });
});

describe('errors name file:line:col and the key path', () => {
  it('unknown key, with a suggestion', () => {
    const err = planError(BASE.replace('  repo:', '  tagz: "v*"\n  repo:'));
    expect(err.message).toBe('drills/x.yaml:3:3: snapshot.tagz: unknown key (did you mean "tags"?)');
    expect([err.file, err.line, err.col, err.key]).toEqual(['drills/x.yaml', 3, 3, 'snapshot.tagz']);
  });

  it('unknown key without a close match lists the accepted keys', () => {
    const err = planError(`${BASE}\nreport: { folder: x }\n`);
    expect(err.message).toBe('drills/x.yaml:7:11: report.folder: unknown key (expected one of: dir)');
  });

  it('wrong type', () => {
    const err = planError(BASE.replace('snapshot:\n', 'snapshot:\n    \n  requireSignedTag: yes\n'));
    expect(err.message).toBe('drills/x.yaml:4:21: snapshot.requireSignedTag: expected a boolean, got "yes"');
    expect(planError(`${BASE}\n  env: { PORT: 8080 }`).message).toBe(
      'drills/x.yaml:7:16: service.env.PORT: expected a string, got 8080 (quote it: "8080")',
    );
    expect(planError(`${BASE}\nenvironment:\n  ports: [80, "443", 70000]`).issues.map((i) => [i.line, i.col, i.key, i.message])).toEqual([
      [8, 15, 'environment.ports[1]', 'expected an integer, got "443"'],
      [8, 22, 'environment.ports[2]', 'must be at most 65535, got 70000'],
    ]);
  });

  it('missing required field, positioned at the parent mapping', () => {
    const err = planError(BASE.replace('  url: http://127.0.0.1:8000', '  stopTimeoutSec: 5'));
    expect(err.message).toBe('drills/x.yaml:5:3: service.url: missing required key');
    const top = planError('# a plan\nname: t\nservice: { start: s, url: "http://h" }\n');
    expect(top.message).toBe('drills/x.yaml:2:1: snapshot: missing required key');
    const flow = planError(`${BASE}\nassertions:\n  - { name: a, api: gradio, expect: { contains: x } }\n`);
    expect(flow.message).toBe('drills/x.yaml:8:5: assertions[0].audio: missing required key');
  });

  it('bad version range', () => {
    const err = planError(`${BASE}\nenvironment:\n  nvidia: { cuda: "~12.1" }\n`);
    expect(err.message).toBe(
      'drills/x.yaml:8:19: environment.nvidia.cuda: expected a version range such as ">=3.9" or ">=2.1,<3", got "~12.1"',
    );
    expect(planError(`${BASE}\nenvironment:\n  torch: { version: 2.1 }\n`).message).toMatch(
      /^drills\/x\.yaml:8:21: environment\.torch\.version: expected a version range .*, got 2\.1 \(quote it: "2\.1"\)$/,
    );
  });

  it('bad URL', () => {
    const err = planError(BASE.replace('http://127.0.0.1:8000', 'ftp://127.0.0.1/x'));
    expect(err.message).toBe('drills/x.yaml:6:8: service.url: expected an http(s) URL such as "http://127.0.0.1:7860", got "ftp://127.0.0.1/x"');
    expect(planError(BASE.replace('http://127.0.0.1:8000', 'localhost:8000')).key).toBe('service.url');
  });

  it('YAML syntax error, positioned by the parser', () => {
    const err = planError('name: t\nsnapshot:\n  repo: r\n tags: x\n');
    expect(err.message).toBe('drills/x.yaml:4:1: invalid YAML: All mapping items must start at the same column');
    expect(planError('name: [t\n').message).toBe(
      'drills/x.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(planError('a: 1\na: 2\n').message).toBe('drills/x.yaml:2:1: invalid YAML: Map keys must be unique');
    expect(planError('# nothing here\n').message).toBe('drills/x.yaml:1:1: the plan is empty');
    expect(planError('- name: t\n').message).toBe('drills/x.yaml:1:1: expected a mapping, got a list');
  });

  it('requireSignedTag without allowedSigners', () => {
    const err = planError(BASE.replace('snapshot:\n', 'snapshot:\n  requireSignedTag: true\n'));
    expect(err.message).toBe('drills/x.yaml:3:3: snapshot.allowedSigners: required when requireSignedTag is true');
  });

  it('plan names cannot escape the report folder', () => {
    expect(planError(BASE.replace('name: t', 'name: ..')).message).toMatch(/^drills\/x\.yaml:1:7: name: expected a name made of/);
    expect(planError(BASE.replace('name: t', 'name: a/b')).key).toBe('name');
  });

  it('assertion rules: kind by gpuMemoryMiB, expect, command, duplicate names', () => {
    const text = [
      BASE,
      'assertions:', //                                                      7
      '  - name: a', //                                                      8
      '    api: command', //                                                 9
      '    audio: a.wav', //                                                 10
      '    expect: { maxCER: 0.2 }', //                                      11
      '  - name: a', //                                                      12
      '    gpuMemoryMiB: { min: 10, max: 5 }', //                            13
      '  - { name: b, api: gradio, audio: s.wav, expect: { empty: true, contains: x }, command: c }', // 14
      '  - { name: c, api: openai, audio: s.wav, expect: {}, gpuMemoryMB: 1 }', // 15
    ].join('\n');
    expect(planError(text).issues.map((i) => `${i.line}:${i.col} ${i.key}: ${i.message}`)).toEqual([
      '8:5 assertions[0].command: required when api is command',
      '11:13 assertions[0].expect: needs "contains" (the expected text) or "empty: true" (silence control)',
      '11:23 assertions[0].expect.maxCER: needs "contains" (the reference text)',
      '12:11 assertions[1].name: duplicate assertion name (also assertions[0])',
      '13:35 assertions[1].gpuMemoryMiB.max: must be at least min (10), got 5',
      '14:60 assertions[2].expect.empty: cannot be combined with "contains"',
      '14:90 assertions[2].command: only used with api: command (this assertion uses api: gradio)',
      '15:51 assertions[3].expect: needs "contains" (the expected text) or "empty: true" (silence control)',
      '15:55 assertions[3].gpuMemoryMB: unknown key (did you mean "gpuMemoryMiB"?)',
    ]);
  });

  it('collects every problem, one per line in document order; the fields describe the first', () => {
    const err = planError(
      'name: t\nsnapshot:\n  repo: r\n  requireSignedTag: "no"\nservice:\n  start: s\n  url: http://h\n  stopTimeoutSec: -1\nreport: []\n',
    );
    expect(err.message.split('\n')).toEqual([
      'drills/x.yaml:4:21: snapshot.requireSignedTag: expected a boolean, got "no"',
      'drills/x.yaml:8:19: service.stopTimeoutSec: must be at least 0, got -1',
      'drills/x.yaml:9:9: report: expected a mapping, got a list',
    ]);
    expect([err.line, err.col, err.key]).toEqual([4, 21, 'snapshot.requireSignedTag']);
    expect(err.issues).toHaveLength(3);
  });
});

describe('loadPlan on files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'plan-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a missing file', async () => {
    const file = path.join(dir, 'nope.yaml');
    const err = await loadPlan(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).message).toBe(`cannot read plan file ${file}: no such file`);
    expect((err as PlanError).line).toBe(0);
  });

  it('hashes the file bytes and names the file as given in errors', async () => {
    const file = path.join(dir, 'p.yaml');
    const bytes = Buffer.from(`\uFEFF${BASE}\nsnapshot2: {}\n`, 'utf8');
    await writeFile(file, bytes);
    const err = (await loadPlan(file).catch((e: unknown) => e)) as PlanError;
    expect(err.message).toBe(`${file}:7:1: snapshot2: unknown key (did you mean "snapshot"?)`);

    await writeFile(file, `\uFEFF${BASE}\n`);
    const plan = await loadPlan(file);
    expect(plan.file).toBe(file);
    expect(plan.sha256).toBe(createHash('sha256').update(await readFile(file)).digest('hex'));
  });
});
