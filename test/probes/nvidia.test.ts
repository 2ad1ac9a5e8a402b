/** nvidia-smi on each kind of host, from recorded outputs (there is no GPU here): a distinct result for each. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseComputeApps, queryComputeApps } from '../../src/probes/gpu-processes.js';
import { parseCudaVersion, parseGpuQuery, probeNvidia } from '../../src/probes/nvidia.js';
import { withPath } from '../helpers/fake-bin.js';
import { nvidiaHost, recorded, type HostName } from '../helpers/nvidia-hosts.js';

const read = (name: string) => readFile(recorded(name), 'utf8');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'whisper-drill-nvidia-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));
const host = (name: HostName) => nvidiaHost(path.join(tmp, name.replace(/\W+/g, '-')), name);

describe('parsing nvidia-smi', () => {
  it('reads the recorded A100 query by field name, the header and the compute apps', async () => {
    const gpus = parseGpuQuery(await read('nvidia-smi-query-a100.csv'));
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toEqual({
      index: 0, uuid: 'GPU-8d2c7f4e-5b1a-3c9e-a0f2-6e4b9d1c7a35', name: 'NVIDIA A100-SXM4-40GB', driverVersion: '550.54.15',
      memoryTotalMiB: 40960, memoryUsedMiB: 10043, memoryFreeMiB: 30300, computeCapability: '8.0', mig: false,
    });
    expect(parseCudaVersion(await read('nvidia-smi-header-a100.txt'))).toBe('12.4');
    expect(parseComputeApps(await read('nvidia-smi-compute-apps-a100.csv'))).toEqual([
      { pid: 412873, processName: 'python3', usedMemoryMiB: 10030, gpuUuid: 'GPU-8d2c7f4e-5b1a-3c9e-a0f2-6e4b9d1c7a35' },
    ]);
  });

  it('keeps a process name with commas whole, and [N/A] memory as null', () => {
    expect(parseComputeApps('77, python3 -m worker, gpu, [N/A], GPU-1')).toEqual([{ pid: 77, processName: 'python3 -m worker, gpu', usedMemoryMiB: null, gpuUuid: 'GPU-1' }]);
  });
});

describe('probing each kind of host', () => {
  it('several GPUs: each with its index, UUID, memory and compute capability', async () => {
    const facts = await probeNvidia({ env: await host('two A100s') });
    expect(facts).toMatchObject({ ok: true, driverVersion: '550.54.15', cudaVersion: '12.4' });
    expect(facts.ok && facts.gpus.map((g) => [g.index, g.computeCapability, g.memoryFreeMiB, g.mig])).toEqual([[0, '8.0', 30300, false], [1, '8.0', 40339, false]]);
    expect(facts.ok && facts.unknownFields).toBeUndefined();
    const calls = await readFile(path.join(tmp, 'two-A100s', 'nvidia-smi.calls'), 'utf8');
    expect(calls).toContain('--query-gpu=index,uuid,name,driver_version,memory.total,memory.used,memory.free,compute_cap,mig.mode.current --format=csv,noheader,nounits');
  });

  it('MIG: the GPU is marked as split into instances', async () => {
    const facts = await probeNvidia({ env: await host('A100 in MIG mode') });
    expect(facts.ok && facts.gpus[0]).toMatchObject({ name: 'NVIDIA A100-SXM4-80GB', mig: true });
  });

  it('memory reported as [N/A] (unified memory): null, not zero', async () => {
    const facts = await probeNvidia({ env: await host('GH200 (memory [N/A])') });
    expect(facts.ok && facts.gpus[0]).toMatchObject({ name: 'NVIDIA GH200 480GB', memoryTotalMiB: null, memoryUsedMiB: null, memoryFreeMiB: null, computeCapability: '9.0' });
  });

  it('a driver too old for compute_cap: the query is retried without it, and the field is named as unknown', async () => {
    const facts = await probeNvidia({ env: await host('T4 on driver 470') });
    expect(facts).toMatchObject({ ok: true, driverVersion: '470.223.02', cudaVersion: '11.4', unknownFields: ['compute_cap'], gpus: [{ name: 'Tesla T4', memoryFreeMiB: 15109, mig: false }] });
    expect(facts.ok && facts.gpus[0]?.computeCapability).toBeUndefined();
    const calls = (await readFile(path.join(tmp, 'T4-on-driver-470', 'nvidia-smi.calls'), 'utf8')).split('\n');
    expect(calls.filter((c) => c.includes('--query-gpu='))).toEqual([
      '--query-gpu=index,uuid,name,driver_version,memory.total,memory.used,memory.free,compute_cap,mig.mode.current --format=csv,noheader,nounits',
      '--query-gpu=index,uuid,name,driver_version,memory.total,memory.used,memory.free,mig.mode.current --format=csv,noheader,nounits',
    ]);
  });

  it('no driver loaded (exit 9): failed, saying the driver does not answer', async () => {
    const env = await host('driver not loaded');
    const facts = await probeNvidia({ env });
    expect(facts).toMatchObject({ ok: false, reason: 'failed' });
    expect(!facts.ok && facts.message).toMatch(/couldn't communicate with the NVIDIA driver \(exit 9\)/);
    expect(await queryComputeApps({ env })).toMatchObject({ ok: false, reason: 'failed' });
  });

  it('no nvidia-smi at all: missing', async () => {
    const env = withPath(path.join(tmp, 'empty'), '');
    expect(await probeNvidia({ env })).toEqual({ ok: false, reason: 'missing', message: 'nvidia-smi not found: no NVIDIA driver on this machine' });
    expect(await queryComputeApps({ env })).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('lists the compute apps with their GPU', async () => {
    expect(await queryComputeApps({ env: await host('two A100s') })).toMatchObject({ ok: true, apps: [{ pid: 412873, usedMemoryMiB: 10030 }] });
  });
});
