/**
 * `check --record FILE` and `check --against TAG` with the built CLI: the node's environment written as
 * a lock, and compared with the locks of the sample backup's tags (v1.3 recorded on a GPU node, v1.2 on a
 * build machine like this one, v1.0 without a lock).
 */
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLock } from '../../src/model/environment-lock.js';
import { ndjsonLineSchema } from '../../src/model/events-schema.js';
import type { DriftReport } from '../../src/model/record.js';
import { describeRun, repoRoot, runCli } from '../helpers/cli.js';
import { nvidiaHost } from '../helpers/nvidia-hosts.js';
import { freePort } from '../helpers/sample.js';

let scratch = '';
let cwd = '';
/** drills/demo.yaml on a port of its own: the demo's 17860 may be held by a demo drill of another test file. */
let DEMO_PLAN = '';
let PORT = 0;
beforeAll(async () => {
  scratch = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-e2e-drift-')));
  cwd = path.join(scratch, 'cwd');
  await mkdir(cwd);
  PORT = await freePort();
  DEMO_PLAN = path.join(scratch, 'demo.yaml');
  await writeFile(DEMO_PLAN, (await readFile(path.join(repoRoot, 'drills', 'demo.yaml'), 'utf8')).replaceAll('17860', String(PORT)));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const check = (args: readonly string[], env?: Record<string, string>) =>
  runCli(['check', '--report-dir', path.join(scratch, 'reports'), ...args], { cwd, ...(env ? { env } : {}), timeoutMs: 120_000 });

describe('check --record and --against', () => {
  it('--record writes the node\'s environment: OS, Python, FFmpeg with the plan\'s decoders, the GPU node\'s driver and GPUs', async () => {
    const file = path.join(scratch, 'environment.lock.yaml');
    const env = await nvidiaHost(path.join(scratch, 'a100'), 'two A100s');
    const result = await check(['--plan', DEMO_PLAN, '--record', file], env);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stderr).toContain(`environment recorded in ${file} (this node is healthy)`);
    const parsed = parseLock(await readFile(file, 'utf8'));
    if ('problem' in parsed) throw new Error(parsed.problem);
    const osName = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile('/etc/os-release', 'utf8'))?.[1];
    expect(parsed.lock).toMatchObject({
      lockVersion: 1, recordedBy: expect.stringMatching(/^whisper-drill /), os: osName, python: expect.stringMatching(/^3\./),
      nvidia: { driver: '550.54.15', cuda: '12.4', gpus: ['NVIDIA A100-SXM4-40GB', 'NVIDIA A100-SXM4-40GB'] },
      ffmpeg: { version: expect.any(String), decoders: ['pcm_s16le'] },
    });
    // The demo plan probes no torch and there is no venv here: neither is recorded, rather than recorded as absent.
    expect(parsed.lock.torch).toBeUndefined();
    expect(parsed.lock.packages).toBeUndefined();
  });

  it('--against a tag recorded on a GPU node lists each difference (NDJSON drift event, report), and stays healthy on warnings', async () => {
    const result = await check(['--plan', DEMO_PLAN, '--against', 'v1.3-signed-release', '--json']);
    expect(result.code, describeRun(result)).toBe(0);
    const events = result.stdout.split('\n').filter(Boolean).map((line) => {
      expect(ndjsonLineSchema.safeParse(JSON.parse(line)).success, line).toBe(true);
      return JSON.parse(line) as { type: string; step?: string; drift?: DriftReport; reportDir?: string; steps?: Array<{ id: string }> };
    });
    expect(events[0]?.steps?.map((s) => s.id)).toEqual(['environment', 'snapshot']);
    const drift = events.find((e) => e.type === 'drift');
    expect(drift).toMatchObject({ step: 'snapshot', drift: { tag: 'v1.3-signed-release', recordedOn: 'gpu-node-07', lockFound: true } });
    expect(drift?.drift?.items).toContainEqual({ key: 'os', title: 'OS', recorded: 'Ubuntu 22.04.4 LTS', current: expect.any(String), change: 'changed', severity: 'warn' });
    expect(drift?.drift?.notCompared).toEqual(['PyTorch', "torch's CUDA", 'cuDNN', 'packages (pip freeze)']);
    const report = JSON.parse(await readFile(path.join(events.at(-1)!.reportDir!, 'report.json'), 'utf8')) as { mode: string; drift: DriftReport };
    expect(report).toMatchObject({ mode: 'check', drift: { tag: 'v1.3-signed-release' } });
  });

  it('--against with a plan that makes an OS change a failure: UNHEALTHY (exit 1), naming the difference', async () => {
    const plan = path.join(scratch, 'strict.yaml');
    await writeFile(plan, (await readFile(DEMO_PLAN, 'utf8')).replace(`  ports:   [${PORT}]`, `  ports:   [${PORT}]\n  drift:   { os: fail }`));
    const result = await check(['--plan', plan, '--against', 'v1.3-signed-release']);
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stderr).toMatch(/^ {5}\[FAIL\] OS: Ubuntu 22\.04\.4 LTS → .* \(changed\)$/m);
    expect(result.stderr).toMatch(/^\[FAIL\] snapshot \(.*\): this node differs from the environment v1\.3-signed-release was verified on: OS: Ubuntu 22\.04\.4 LTS → /m);
    expect(result.stderr).toMatch(/^UNHEALTHY: /m);
  });

  it('--against a tag without a lock says there is nothing to compare', async () => {
    const result = await check(['--plan', DEMO_PLAN, '--against', 'v1.0-model-large-v3']);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stderr).toContain('drift: v1.0-model-large-v3 has no environment.lock.yaml: nothing to compare');
  });
});
