/**
 * Faults of the node itself: an nvidia-smi that says the driver is gone, hangs, prints garbage or is
 * killed; an ffmpeg the service cannot find; the wall clock set back during a drill. A probe that answered
 * "broken" fails its check; one that could not answer leaves it inconclusive — never passed.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, vi } from 'vitest';
import YAML from 'yaml';
import { nvidiaChecks } from '../../src/core/checks/nvidia-checks.js';
import { runDrill } from '../../src/core/engine.js';
import type { DrillRecord } from '../../src/model/record.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { parsePlan } from '../../src/plan/load.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { makeFakeBin, withPath, type FakeBinSpec } from '../helpers/fake-bin.js';
import { nvidiaHost } from '../helpers/nvidia-hosts.js';
import { expectFailure, fault, type Scene } from './harness.js';
import { faultDrill, faultyService, stepOf } from './drill.js';

const GPU = { required: true, cuda: '>=12.1', minFreeMiB: 10240 };

/** `check` on a GPU node whose nvidia-smi is `spec` (or a recorded host). */
async function checkWith(scene: Scene, env: Record<string, string>): Promise<DrillRecord> {
  const plan = parsePlan(YAML.stringify({ name: 'gpu-node', snapshot: { repo: 'builtin:sample-backup' }, environment: { nvidia: GPU }, service: { start: 'true', url: 'http://127.0.0.1:9' } }), path.join(scene.dir, 'plan.yaml'));
  return runDrill(headlessOptions(plan, scene.dir, { mode: 'check', env, save: writeOutputs }), () => undefined);
}

async function fakeNvidia(scene: Scene, spec: FakeBinSpec): Promise<Record<string, string>> {
  const bin = path.join(scene.dir, 'bin');
  await mkdir(bin, { recursive: true });
  await makeFakeBin(bin, 'nvidia-smi', spec);
  return withPath(bin);
}

describe('nvidia-smi', () => {
  fault('environment', 'says it cannot reach the driver (exit 9) — check FAILED (exit 1): the probe answered, the GPU cannot be used', async (scene) => {
    const record = await checkWith(scene, await nvidiaHost(path.join(scene.dir, 'bin'), 'driver not loaded'));
    expectFailure(record, { verdict: 'failed', step: 'environment', message: /^1 requirement\(s\) not met: NVIDIA driver \(nvidia-smi couldn't communicate with the NVIDIA driver \(exit 9\): the GPU cannot be used until the driver is loaded\)$/ });
    expect(record.exitCode).toBe(1);
  });

  fault('environment', 'prints garbage — check INCONCLUSIVE (exit 3), never passed', async (scene) => {
    const record = await checkWith(scene, await fakeNvidia(scene, { stdout: '\u00ff#%& ~~ ???\nqq\n' }));
    expect(record.verdict).toBe('inconclusive');
    expect(record.exitCode).toBe(3);
    expect(record.environment.checks.find((c) => c.id === 'nvidia')).toMatchObject({ status: 'inconclusive', measured: expect.stringContaining('cannot be read') });
  });

  fault('environment', 'is killed by a signal — check INCONCLUSIVE, naming the signal', async (scene) => {
    const record = await checkWith(scene, await fakeNvidia(scene, { script: 'kill -9 $$' }));
    expect(record.verdict).toBe('inconclusive');
    expect(record.environment.checks.find((c) => c.id === 'nvidia')).toMatchObject({ status: 'inconclusive', measured: expect.stringContaining('exited with a signal') });
  });

  fault('environment', 'hangs — the probe gives up at its limit: inconclusive, and the hung nvidia-smi is gone', async (scene) => {
    const env = await fakeNvidia(scene, { script: `cd ${JSON.stringify(scene.dir)} && exec sleep 30` });
    const { checks } = await nvidiaChecks(GPU, { env, timeoutMs: 300 });
    expect(checks).toEqual([expect.objectContaining({ id: 'nvidia', status: 'inconclusive', measured: expect.stringContaining('did not finish within its time limit'), fix: expect.stringMatching(/run nvidia-smi by hand/) })]);
  });
});

describe('the service\'s own environment', () => {
  fault('environment', 'ffmpeg missing from the service\'s PATH only — the environment step fails naming that PATH, before anything is restored', async (scene) => {
    // The service's PATH has python3 (to start it) and nothing else.
    const bin = path.join(scene.dir, 'service-bin');
    await mkdir(bin);
    const { execFileSync } = await import('node:child_process');
    await symlink(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim(), path.join(bin, 'python3'));
    const run = await faultDrill(scene, (port) => ({
      environment: { ffmpeg: { required: true } },
      service: { ...faultyService('none', port), env: { PATH: bin } },
    }));
    expectFailure(run.record, { verdict: 'failed', step: 'environment', message: new RegExp(`^1 requirement\\(s\\) not met: FFmpeg \\(ffmpeg not found on the service's PATH \\(service\\.env\\.PATH=${bin.replace(/[.]/g, '\\.')}\\): Whisper calls the ffmpeg binary`) });
    expect(run.record.environment.checks.find((c) => c.id === 'ffmpeg')?.fix).toMatch(/to service\.env\.PATH/);
    expect(stepOf(run, 'fetch')?.status).toBe('skipped');
  });

  fault('environment', 'the wall clock set back an hour during the drill — times and durations stay true (monotonic), the drill passes', async (scene) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const run = await faultDrill(scene, (port) => ({ service: faultyService('none', port) }), {}, (event) => {
        if (event.type === 'step-start' && event.step === 'fetch') vi.setSystemTime(Date.now() - 3_600_000);
      });
      const { record } = run;
      expect(record.verdict, JSON.stringify(record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
      expect(Date.parse(record.finishedAt)).toBeGreaterThan(Date.parse(record.startedAt));
      for (const step of record.steps) {
        expect(step.durationMs, step.id).toBeGreaterThanOrEqual(0);
        // Every step starts on the drill's one clock: not before the drill did, not after it ended.
        expect(Date.parse(step.startedAt), step.id).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
        expect(Date.parse(step.startedAt), step.id).toBeLessThanOrEqual(Date.parse(record.finishedAt));
      }
      expect(record.rto.totalMs).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
