/**
 * The PyTorch probe and the CUDA rules against a real torch (the CPU build 2.13.0+cpu, installed
 * offline from the local package mirror into a cached venv). Real torch prints a NumPy warning on
 * stderr, reports torch.version.cuda None and an empty arch list: the probe and the rules must cope.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/adapters/run.js';
import { torchCheck } from '../../src/core/checks/torch-check.js';
import { compareWithLock } from '../../src/core/drift/compare.js';
import { measuredEnvironment, parseLock } from '../../src/model/environment-lock.js';
import { DEFAULT_DRIFT } from '../../src/plan/schema-drift.js';
import { pipFreeze } from '../../src/probes/pip.js';
import { probeTorch, TORCH_PROBE_SCRIPT } from '../../src/probes/torch.js';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { withPath } from '../helpers/fake-bin.js';
import { nvidiaHost } from '../helpers/nvidia-hosts.js';
import { ensureTorchVenv, TORCH_CPU, whyNoRealTorch } from '../helpers/torch-venv.js';

const skipReason = whyNoRealTorch();
if (skipReason) console.warn(`real-torch tests skipped: ${skipReason}`);

let python = '';
let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-real-torch-'));
  if (!skipReason) python = await ensureTorchVenv();
}, 600_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe.skipIf(skipReason !== undefined)(`real PyTorch ${TORCH_CPU}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('the probe reads the real build despite its warnings on stderr', async () => {
    const raw = await run(python, ['-c', TORCH_PROBE_SCRIPT], { timeoutMs: 120_000 });
    expect(raw.stderr).toMatch(/NumPy/);
    expect(await probeTorch(python)).toEqual({ ok: true, version: TORCH_CPU, cuda: null, cudnn: null, cudaAvailable: false, archList: [], devices: [] });
  });

  it('fails `cuda: true` as a CPU-only build, with the CUDA wheel for the recorded A100 node\'s driver as the fix', async () => {
    const env = await nvidiaHost(path.join(tmp, 'a100'), 'two A100s');
    const { checks } = await torchCheck({ required: true, version: '>=2.1', cuda: true }, python, { env });
    expect(checks).toEqual([
      { id: 'torch', title: 'PyTorch', required: '>=2.1', status: 'passed', measured: `torch ${TORCH_CPU} (CPU-only build) (${python})` },
      {
        id: 'torch-cuda-build', title: 'PyTorch CUDA build', required: 'a CUDA build', status: 'failed',
        measured: `torch ${TORCH_CPU} is a CPU-only build (torch.version.cuda is None)`,
        fix: "install a CUDA build in the service's venv: pip install --force-reinstall torch==2.13.0 --index-url https://download.pytorch.org/whl/cu124",
      },
    ]);
  });

  it('pip freeze of the real venv, and its drift from the GPU node\'s lock: torch\'s CUDA gone fails, torch 2.3 → 2.13 warns', async () => {
    const pip = await pipFreeze(python);
    expect(pip.ok && pip.packages).toContain(`torch==${TORCH_CPU}`);
    const lock = parseLock(await readFile(path.join(repoRoot, 'fixtures', 'sample-locks', 'v1.3-signed-release.yaml'), 'utf8'));
    if ('problem' in lock) throw new Error(lock.problem);
    const here = measuredEnvironment({ torch: await probeTorch(python), pip });
    const { items } = compareWithLock(lock.lock, here, DEFAULT_DRIFT, ['torch', 'cuda', 'cudnn', 'packages']);
    expect(items.filter((i) => !i.key.startsWith('package:') || i.key === 'package:torch').map((i) => `${i.key}: ${i.recorded} → ${i.current} ${i.change} ${i.severity}`)).toEqual([
      `torch: 2.3.1+cu121 → ${TORCH_CPU} minor warn`,
      'cuda: 12.1 → null missing fail',
      'cudnn: 8.9.2 → null missing fail',
      `package:torch: 2.3.1+cu121 → ${TORCH_CPU} minor info`,
    ]);
  });

  it('passes a plan that does not ask for CUDA, and fails a version range it is outside of', async () => {
    expect((await torchCheck({ required: true, version: '>=2.1' }, python, {})).checks.map((c) => c.status)).toEqual(['passed']);
    expect((await torchCheck({ required: true, version: '>=3' }, python, {})).checks[0]).toMatchObject({ status: 'failed', fix: "install torch >=3 in the service's venv" });
  });

  it('`check` of a plan wanting CUDA says UNHEALTHY (exit 1), naming the CPU-only build and the fix', async () => {
    const plan = path.join(tmp, 'cpu-torch.yaml');
    await writeFile(plan, [
      'name: cpu-torch',
      'snapshot: { repo: "https://example.invalid/whisper-backup.git" }',
      'environment:',
      `  torch: { required: true, version: ">=2.1", cuda: true, python: ${JSON.stringify(python)} }`,
      'service: { start: ./run, url: "http://127.0.0.1:7860" }',
      '',
    ].join('\n'));
    const result = await run(process.execPath, [cliPath, 'check', '--plan', plan, '--report-dir', path.join(tmp, 'reports')], { cwd: tmp, env: withPath(path.join(tmp, 'no-bin'), '/usr/bin:/bin'), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^\s*\[FAIL\] PyTorch CUDA build: torch 2\.13\.0\+cpu is a CPU-only build \(torch\.version\.cuda is None\)/m);
    expect(result.stderr).toMatch(/fix: install a CUDA build in the service's venv: pip install --force-reinstall torch==2\.13\.0 --index-url https:\/\/download\.pytorch\.org\/whl\/cu121/);
    expect(result.stderr).toMatch(/^UNHEALTHY: /m);
  });
});
