/** The PyTorch check against recorded outputs of a GPU node's torch and nvidia-smi (there is no GPU here). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEnvironmentChecks } from '../../src/core/checks/environment-checks.js';
import { torchCheck } from '../../src/core/checks/torch-check.js';
import { makeFakeBin, withPath } from '../helpers/fake-bin.js';
import { repoRoot } from '../helpers/cli.js';

const recorded = (name: string) => path.join(repoRoot, 'fixtures', 'recorded', name);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-torch-'));
  await makeFakeBin(dir, 'nvidia-smi', {
    stdoutFile: recorded('nvidia-smi-header-a100.txt'),
    cases: [{ argsInclude: '--query-gpu=', stdoutFile: recorded('nvidia-smi-query-a100.csv') }],
  });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the PyTorch check', () => {
  it('passes torch 2.3.1+cu121 on an A100 whose driver supports CUDA 12.4', async () => {
    const python = await makeFakeBin(dir, 'python', { stdoutFile: recorded('torch-probe-cuda.json') });
    const { checks, problems } = await torchCheck({ required: true, version: '>=2.1', cuda: true }, python, { env: withPath(dir), minFreeMiB: 10240 });
    expect(problems).toEqual([]);
    expect(checks[0]).toMatchObject({ id: 'torch', status: 'passed', required: '>=2.1' });
    expect(checks[0]?.measured).toContain('torch 2.3.1+cu121 (CUDA 12.1, cuDNN 8.9.2)');
    expect(checks.map((c) => `${c.id} ${c.status}`)).toEqual([
      'torch passed', 'torch-cuda-build passed', 'torch-driver-cuda passed', 'torch-cuda-available passed', 'torch-arch passed', 'torch-cudnn passed', 'torch-gpu-memory passed',
    ]);
  });

  it('fails a CPU-only torch where CUDA is required, and says why', async () => {
    const python = await makeFakeBin(dir, 'python', { stdoutFile: recorded('torch-probe-cpu.json') });
    const { checks } = await torchCheck({ required: true, version: '>=2.1', cuda: true }, python, { env: withPath(dir) });
    expect(checks.map((c) => `${c.id} ${c.status}`)).toEqual(['torch passed', 'torch-cuda-build failed']);
    expect(checks[1]?.measured).toBe('torch 2.3.1+cpu is a CPU-only build (torch.version.cuda is None)');
    expect(checks[1]?.fix).toMatch(/^install a CUDA build in the service's venv: pip install --force-reinstall torch==2\.3\.1 --index-url https:\/\/download\.pytorch\.org\/whl\/cu124$/);
  });

  it('is inconclusive in `check` when the service\'s python does not exist', async () => {
    const { checks } = await runEnvironmentChecks(
      { torch: { required: true, cuda: true }, ports: [] },
      { env: withPath(dir), servicePython: path.join(dir, 'no-such', 'python') },
    );
    const torch = checks.find((c) => c.id === 'torch');
    expect(torch).toMatchObject({ status: 'inconclusive' });
    expect(torch?.fix).toMatch(/environment\.torch\.python/);
  });
});
