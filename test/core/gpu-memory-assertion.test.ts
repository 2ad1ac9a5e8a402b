/**
 * "Model resident on GPU" counts only the service's own processes. A real throwaway process group
 * stands in for the service (its PIDs must be real /proc entries); nvidia-smi is the recorded A100
 * node with a compute-apps listing written to name those PIDs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpuMemoryAssertion } from '../../src/core/assertions/gpu-memory.js';
import type { GpuMemoryAssertion } from '../../src/plan/types.js';
import { nvidiaHost } from '../helpers/nvidia-hosts.js';

const GPU0 = 'GPU-8d2c7f4e-5b1a-3c9e-a0f2-6e4b9d1c7a35';
const GPU1 = 'GPU-3f7a91c2-0d4e-4b8a-9c61-2e5d8f0b4a17';
const assertion: GpuMemoryAssertion = { kind: 'gpu-memory', name: 'model resident on GPU', gpuMemoryMiB: { min: 8000, max: 12000 }, required: true };

let tmp: string;
let group: ChildProcess;
/** The group's leader (pgid), a worker in the group, and a worker that left it with setsid. */
let pgid: number, worker: number, detached: number;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'whisper-drill-gpu-assert-'));
  // Each PID is printed once it exists; the detached one prints after setsid took effect.
  group = spawn('/bin/sh', ['-c', 'sleep 300 & echo $!; setsid sh -c \'echo $$; exec sleep 300\' & wait'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  pgid = group.pid!;
  const lines = createInterface({ input: group.stdout! })[Symbol.asyncIterator]();
  worker = Number((await lines.next()).value);
  detached = Number((await lines.next()).value);
});

afterAll(async () => {
  for (const target of [-pgid, detached]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(tmp, { recursive: true, force: true });
});

/** nvidia-smi of the A100 node, listing these compute apps. */
async function listing(name: string, rows: readonly string[]): Promise<Record<string, string>> {
  const file = path.join(tmp, `${name}.csv`);
  await writeFile(file, rows.map((row) => `${row}\n`).join(''));
  return nvidiaHost(path.join(tmp, name), 'two A100s', [{ argsInclude: '--query-compute-apps=', stdoutFile: file }]);
}

/** A PID this host does not have: what a container sees of the host's PIDs. */
function foreignPid(): number {
  let pid = 4_000_000;
  while (existsSync(`/proc/${pid}`)) pid += 1;
  return pid;
}

describe('the GPU-memory assertion, per process', () => {
  it('passes when the service\'s processes hold the memory, summed per GPU over its whole tree (setsid workers too)', async () => {
    const env = await listing('service-holds', [`${worker}, python3, 9800, ${GPU0}`, `${detached}, python3, 230, ${GPU1}`, `${process.pid}, node, 500, ${GPU1}`]);
    const outcome = await gpuMemoryAssertion(assertion, pgid, { env });
    expect(outcome).toMatchObject({ passed: true, actual: '10030 MiB', expected: '8000..12000 MiB held by the service' });
    expect(outcome.inconclusive).toBeUndefined();
    expect(outcome.detail).toBe(`within range: GPU 0: 9800 MiB, GPU 1: 230 MiB (pid ${worker} python3 9800 MiB on GPU 0, pid ${detached} python3 230 MiB on GPU 1)`);
    expect(outcome.gpuProcesses).toEqual([
      { pid: worker, processName: 'python3', gpu: 0, usedMiB: 9800, holder: 'service' },
      { pid: detached, processName: 'python3', gpu: 1, usedMiB: 230, holder: 'service' },
      { pid: process.pid, processName: 'node', gpu: 1, usedMiB: 500, holder: 'other' },
    ]);
  });

  it('does not pass when another process holds the memory and the service none', async () => {
    const env = await listing('other-holds', [`${process.pid}, python3, 9800, ${GPU0}`]);
    const outcome = await gpuMemoryAssertion(assertion, pgid, { env });
    expect(outcome).toMatchObject({ passed: false, actual: '0 MiB' });
    expect(outcome.inconclusive).toBeUndefined();
    expect(outcome.detail).toMatch(new RegExp(`^outside 8000\\.\\.12000 MiB held by the service: none of it is the service's \\(process tree .*${pgid}.*\\): held by pid ${process.pid} python3 9800 MiB on GPU 0$`));
  });

  it('could not run (inconclusive, never passed) when nvidia-smi shows only PIDs this host does not have (a container)', async () => {
    const foreign = foreignPid();
    const outcome = await gpuMemoryAssertion(assertion, pgid, { env: await listing('container', [`${foreign}, python3, 9800, ${GPU0}`]) });
    expect(outcome).toMatchObject({ passed: false, inconclusive: true, actual: '' });
    expect(outcome.detail).toMatch(/^none of the service's processes \(process tree .*\) is visible to nvidia-smi: nvidia-smi lists pid \d+ python3 9800 MiB on GPU 0, PIDs that do not exist here \(a container/);
    expect(outcome.gpuProcesses).toEqual([{ pid: foreign, processName: 'python3', gpu: 0, usedMiB: 9800, holder: 'unknown' }]);
  });

  it('could not run when nvidia-smi lists no process at all, or no memory figure for the service\'s process', async () => {
    const empty = await gpuMemoryAssertion(assertion, pgid, { env: await listing('empty', []) });
    expect(empty).toMatchObject({ passed: false, inconclusive: true, detail: expect.stringContaining('nvidia-smi lists no process using a GPU') });
    const unreported = await gpuMemoryAssertion(assertion, pgid, { env: await listing('n-a', [`${worker}, python3, [N/A], ${GPU0}`]) });
    expect(unreported).toMatchObject({ passed: false, inconclusive: true, detail: `nvidia-smi reports no memory figure ([N/A]) for the service's pid ${worker} python3 [N/A] on GPU 0` });
  });

  it('failed, not inconclusive, when the driver answers that it is not loaded: no model can be resident on a GPU', async () => {
    const env = await nvidiaHost(path.join(tmp, 'no-driver'), 'driver not loaded');
    const result = await gpuMemoryAssertion(assertion, pgid, { env });
    expect(result).toMatchObject({ passed: false, actual: 'no usable GPU', detail: expect.stringContaining("couldn't communicate with the NVIDIA driver") });
    expect(result.inconclusive).toBeUndefined();
  });
});

describe('the range, at its edges', () => {
  it('includes both bounds, excludes one MiB beyond either, and takes an open bound as unbounded', async () => {
    const at = async (mib: number, range: GpuMemoryAssertion['gpuMemoryMiB']) =>
      (await gpuMemoryAssertion({ ...assertion, gpuMemoryMiB: range }, pgid, { env: await listing(`edge-${mib}-${range.min ?? 'x'}-${range.max ?? 'x'}`, [`${worker}, python3, ${mib}, ${GPU0}`]) })).passed;
    expect(await at(8000, { min: 8000, max: 12000 })).toBe(true);
    expect(await at(12000, { min: 8000, max: 12000 })).toBe(true);
    expect(await at(7999, { min: 8000, max: 12000 })).toBe(false);
    expect(await at(12001, { min: 8000, max: 12000 })).toBe(false);
    expect(await at(50000, { min: 8000 })).toBe(true);
    expect(await at(10, { max: 12000 })).toBe(true);
  });

  it('names the GPU by index from its UUID, and by its UUID when nvidia-smi does not list that GPU', async () => {
    const known = await gpuMemoryAssertion(assertion, pgid, { env: await listing('by-uuid', [`${worker}, python3, 9000, ${GPU1}`]) });
    expect(known.detail).toBe(`within range: GPU 1: 9000 MiB (pid ${worker} python3 9000 MiB on GPU 1)`);
    const unknown = await gpuMemoryAssertion(assertion, pgid, { env: await listing('unknown-gpu', [`${worker}, python3, 9000, GPU-ffffffff-0000`]) });
    expect(unknown.detail).toBe(`within range: GPU GPU-ffffffff-0000: 9000 MiB (pid ${worker} python3 9000 MiB on GPU GPU-ffffffff-0000)`);
  });
});
