/**
 * Both transcription clients against the sample backup's stand-in service (fixtures/sample-backup/app.py)
 * with a small generated model, plus the service's refusal to start on a pointer or a corrupt model.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribeGradio } from '../src/transcribe/gradio.js';
import { transcribeOpenAi } from '../src/transcribe/openai.js';
import { freePort } from './helpers/sample.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sampleTree = path.join(root, 'fixtures', 'sample-backup');
const makeModel = path.join(root, 'fixtures', 'model', 'make_model.py');
const run = promisify(execFile);

let tmp = '';
let backup = '';
let service: ChildProcess | undefined;
let baseUrl = '';
let serviceOutput: () => string = () => '';


function startService(dir: string, port: number): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn('python3', ['app.py', '--port', String(port)], {
    cwd: dir,
    detached: true,
    env: { ...process.env, GRADIO_TEMP_DIR: path.join(tmp, 'uploads') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`service not ready at ${url} after ${timeoutMs} ms:\n${output()}`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitCode(child);
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

/** A copy of the service code with `model` as its models/large-v3.pt. */
async function treeWithModel(name: string, model: Buffer | string): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(path.join(dir, 'models'), { recursive: true });
  for (const file of ['app.py', 'config.yaml', 'configuration.json']) await cp(path.join(sampleTree, file), path.join(dir, file));
  await writeFile(path.join(dir, 'models', 'large-v3.pt'), model);
  return dir;
}

async function expectRefusal(dir: string): Promise<string> {
  const { child, output } = startService(dir, await freePort());
  const code = await exitCode(child);
  expect(code).toBe(1);
  return output();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-transcribe-'));
  backup = path.join(tmp, 'backup');
  await cp(sampleTree, backup, { recursive: true });
  await run('python3', [makeModel, path.join(backup, 'models', 'large-v3.pt'), '--samples', backup, '--variant', '1', '--size-mib', '1']);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const started = startService(backup, port);
  service = started.child;
  serviceOutput = started.output;
  await waitReady(`${baseUrl}/`, started.child, started.output);
});

afterAll(async () => {
  if (service) await stopGroup(service);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('transcription clients against the sample service', () => {
  const sample = (name: string) => path.join(backup, 'example', name);

  it('gradio: discovers /predict and transcribes the Mandarin sample', async () => {
    const result = await transcribeGradio({ baseUrl, audioPath: sample('test_cn.wav'), language: 'zh' });
    expect(result.text).toContain('Whisper');
    expect(result.via).toBe('gradio 5.9.1 /gradio_api/call/predict');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('gradio: silence transcribes to an empty string', async () => {
    const result = await transcribeGradio({ baseUrl, audioPath: sample('silence.wav'), endpoint: '/predict' });
    expect(result.text).toBe('');
  });

  it('openai: transcribes the Mandarin sample and silence', async () => {
    const speech = await transcribeOpenAi({ baseUrl, audioPath: sample('test_cn.wav'), language: 'zh' });
    expect(speech.text).toContain('Whisper');
    expect(speech.via).toBe('openai /v1/audio/transcriptions');
    const silence = await transcribeOpenAi({ baseUrl, audioPath: sample('silence.wav') });
    expect(silence.text).toBe('');
  });

  it('errors name the URL, the status and the body', async () => {
    await expect(transcribeGradio({ baseUrl, audioPath: sample('test_cn.wav'), endpoint: '/nope' })).rejects.toThrow(
      `POST ${baseUrl}/gradio_api/call/nope → 404: Not Found`,
    );
    await expect(transcribeOpenAi({ baseUrl, audioPath: path.join(backup, 'config.yaml') })).rejects.toThrow(
      `POST ${baseUrl}/v1/audio/transcriptions → 500:`,
    );
  });

  it('honours an aborted signal', async () => {
    const signal = AbortSignal.abort();
    await expect(transcribeGradio({ baseUrl, audioPath: sample('test_cn.wav'), signal })).rejects.toThrow(/abort/i);
  });

  it('the service is still running', () => {
    expect(service?.exitCode, serviceOutput()).toBeNull();
  });
});

describe('the sample service refuses a bad model', () => {
  it('exits 1 on a Git LFS pointer, saying so', async () => {
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${'0'.repeat(64)}\nsize 3087275638\n`;
    const output = await expectRefusal(await treeWithModel('pointer', pointer));
    expect(output).toContain("_pickle.UnpicklingError: invalid load key, 'v'.");
    expect(output).toMatch(/Git LFS pointer.*git lfs pull/);
  });

  it('exits 1 on a corrupt archive', async () => {
    const model = await readFile(path.join(backup, 'models', 'large-v3.pt'));
    const middle = Math.floor(model.length / 2);
    for (let i = middle; i < middle + 64; i++) model[i] = model[i]! ^ 0xff;
    const output = await expectRefusal(await treeWithModel('corrupt', model));
    expect(output).toContain('RuntimeError: PytorchStreamReader failed reading zip archive');
  });
});
