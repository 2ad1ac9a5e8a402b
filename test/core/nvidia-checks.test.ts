/** The environment's NVIDIA checks on each kind of host (recorded outputs): a clear, distinct result for each. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvidiaChecks } from '../../src/core/checks/nvidia-checks.js';
import type { CheckResult } from '../../src/model/record.js';
import { makeFakeBin, withPath } from '../helpers/fake-bin.js';
import { nvidiaHost, type HostName } from '../helpers/nvidia-hosts.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'whisper-drill-nvidia-checks-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const need = { required: true, cuda: '>=12.1', minFreeMiB: 10240 };

async function checksOn(host: HostName, visibleDevices?: string, requirement = need): Promise<Record<string, CheckResult>> {
  const env = await nvidiaHost(path.join(tmp, host.replace(/\W+/g, '-')), host);
  const { checks } = await nvidiaChecks(requirement, { env, ...(visibleDevices !== undefined ? { visibleDevices } : {}) });
  return Object.fromEntries(checks.map((c) => [c.id, c]));
}

describe('NVIDIA checks per host', () => {
  it('two A100s: every GPU listed; free memory of GPU 0, the one the service will use', async () => {
    const checks = await checksOn('two A100s');
    expect(checks['nvidia']).toMatchObject({ status: 'passed', measured: 'driver 550.54.15, 2 GPU(s): 0 NVIDIA A100-SXM4-40GB (sm_80), 1 NVIDIA A100-SXM4-40GB (sm_80)' });
    expect(checks['cuda']).toMatchObject({ status: 'passed', measured: 'CUDA 12.4' });
    expect(checks['gpu-memory']).toMatchObject({ status: 'passed', measured: '30300 MiB free on GPU 0 (NVIDIA A100-SXM4-40GB) (GPU 1: 40339 MiB)' });
  });

  it('CUDA_VISIBLE_DEVICES picks the GPU by index or UUID prefix; one naming no GPU is unmet', async () => {
    expect((await checksOn('two A100s', '1'))['gpu-memory']?.measured).toBe('40339 MiB free on GPU 1 (NVIDIA A100-SXM4-40GB), by CUDA_VISIBLE_DEVICES=1 (GPU 0: 30300 MiB)');
    expect((await checksOn('two A100s', 'GPU-3f7a'))['gpu-memory']?.measured).toMatch(/^40339 MiB free on GPU 1 /);
    const none = (await checksOn('two A100s', '7'))['gpu-memory'];
    expect(none).toMatchObject({ status: 'failed', measured: 'no GPU visible to the service (CUDA_VISIBLE_DEVICES=7: "7" is no GPU of this node)' });
    expect(none?.fix).toMatch(/CUDA_VISIBLE_DEVICES/);
  });

  it('MIG: free memory cannot be read from nvidia-smi, so the check could not run (inconclusive), and says where it is measured', async () => {
    const checks = await checksOn('A100 in MIG mode');
    expect(checks['nvidia']?.measured).toContain('0 NVIDIA A100-SXM4-80GB (sm_80) [MIG]');
    expect(checks['gpu-memory']).toMatchObject({ status: 'inconclusive', measured: expect.stringContaining('is in MIG mode') });
    expect(checks['gpu-memory']?.fix).toMatch(/PyTorch check/);
    // A MIG instance named by its UUID is a GPU the service sees, not a missing one.
    expect((await checksOn('A100 in MIG mode', 'MIG-4f8c2a7e-1d3b-5e9a-8c70-2b6d1e4f9a03'))['gpu-memory']).toMatchObject({ status: 'inconclusive', measured: expect.stringContaining('is a MIG instance') });
  });

  it('memory reported as [N/A]: inconclusive when required, skipped when optional — never passed', async () => {
    expect((await checksOn('GH200 (memory [N/A])'))['gpu-memory']).toMatchObject({ status: 'inconclusive', measured: expect.stringContaining('[N/A] (unified memory)') });
    expect((await checksOn('GH200 (memory [N/A])', undefined, { ...need, required: false }))['gpu-memory']?.status).toBe('skipped');
  });

  it('a driver too old for compute_cap: passes with the capability named as not reported; its CUDA 11.4 fails >=12.1', async () => {
    const checks = await checksOn('T4 on driver 470');
    expect(checks['nvidia']).toMatchObject({ status: 'passed', measured: 'driver 470.223.02, 1 GPU(s): 0 Tesla T4; compute capability not reported (this driver predates compute_cap)' });
    expect(checks['cuda']).toMatchObject({ status: 'failed', measured: 'CUDA 11.4', fix: expect.stringMatching(/upgrade the NVIDIA driver/) });
    expect(checks['gpu-memory']).toMatchObject({ status: 'passed' });
  });

  it('a driver that is not loaded (exit 9): the probe answered "the GPU cannot be used" — failed, with its own fix; no further GPU check', async () => {
    const checks = await checksOn('driver not loaded');
    expect(Object.keys(checks)).toEqual(['nvidia']);
    expect(checks['nvidia']).toMatchObject({ status: 'failed', measured: expect.stringContaining("couldn't communicate with the NVIDIA driver (exit 9)"), fix: expect.stringMatching(/load the NVIDIA driver/) });
  });

  it('an nvidia-smi that hangs, is killed or prints garbage: the question went unanswered — inconclusive when required, never passed', async () => {
    const dir = (name: string) => path.join(tmp, name);
    const hanging = withPath(dir('hangs'));
    await mkdir(dir('hangs'), { recursive: true });
    await makeFakeBin(dir('hangs'), 'nvidia-smi', { script: 'exec sleep 30' });
    const hung = (await nvidiaChecks(need, { env: hanging, timeoutMs: 300 })).checks;
    expect(hung).toEqual([expect.objectContaining({ id: 'nvidia', status: 'inconclusive', measured: expect.stringContaining('did not finish within its time limit') })]);

    await mkdir(dir('killed'), { recursive: true });
    await makeFakeBin(dir('killed'), 'nvidia-smi', { script: 'kill -9 $$' });
    const killed = (await nvidiaChecks(need, { env: withPath(dir('killed')) })).checks;
    expect(killed).toEqual([expect.objectContaining({ id: 'nvidia', status: 'inconclusive', measured: expect.stringContaining('exited with a signal') })]);

    await mkdir(dir('garbage'), { recursive: true });
    await makeFakeBin(dir('garbage'), 'nvidia-smi', { stdout: '\u0000\u00ff#%& ~~ ???\nqq\n' });
    const garbage = (await nvidiaChecks(need, { env: withPath(dir('garbage')) })).checks;
    expect(garbage).toEqual([expect.objectContaining({ id: 'nvidia', status: 'inconclusive', measured: expect.stringContaining('cannot be read') })]);
    // Optional in the plan: skipped, said so.
    expect((await nvidiaChecks({ required: false }, { env: withPath(dir('garbage')) })).checks[0]).toMatchObject({ status: 'skipped' });
  });

  it('a GPU fallen off the bus (exit 15) or no permission (exit 4): failed, and inconclusive', async () => {
    await mkdir(path.join(tmp, 'off-bus'), { recursive: true });
    await makeFakeBin(path.join(tmp, 'off-bus'), 'nvidia-smi', { stdout: 'Unable to determine the device handle for GPU0000:3B:00.0: GPU is lost.  Reboot the system to recover this GPU\n', exitCode: 15 });
    expect((await nvidiaChecks(need, { env: withPath(path.join(tmp, 'off-bus')) })).checks[0]).toMatchObject({ status: 'failed', measured: expect.stringContaining('fallen off the bus (exit 15)') });
    await mkdir(path.join(tmp, 'no-permission'), { recursive: true });
    await makeFakeBin(path.join(tmp, 'no-permission'), 'nvidia-smi', { stdout: 'Insufficient Permissions\n', exitCode: 4 });
    expect((await nvidiaChecks(need, { env: withPath(path.join(tmp, 'no-permission')) })).checks[0]).toMatchObject({ status: 'inconclusive', measured: expect.stringContaining('refused permission') });
  });

  it('no nvidia-smi: failed with "install the driver" when required, skipped when optional', async () => {
    const env = withPath(path.join(tmp, 'empty'), '');
    expect((await nvidiaChecks(need, { env })).checks).toEqual([
      { id: 'nvidia', title: 'NVIDIA driver', status: 'failed', measured: 'nvidia-smi not found: no NVIDIA driver on this machine', required: 'an NVIDIA driver and GPU', fix: 'install the NVIDIA driver (nvidia-smi must answer)' },
    ]);
    expect((await nvidiaChecks({ required: false }, { env })).checks[0]).toMatchObject({ status: 'skipped', measured: expect.stringContaining('GPU checks skipped') });
  });
});
