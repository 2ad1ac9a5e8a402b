/** The CUDA compatibility rules against recorded probes of a GPU node (torch 2.3.1+cu121 on two A100s, driver CUDA 12.4). */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cudaRules, type CudaRuleInput } from '../../src/core/checks/cuda-rules.js';
import type { CheckResult } from '../../src/model/record.js';
import { parseGpuQuery, type NvidiaFacts } from '../../src/probes/nvidia.js';
import { parseTorchProbe, type TorchFacts } from '../../src/probes/torch.js';
import { recorded } from '../helpers/nvidia-hosts.js';

async function torchOf(file: string): Promise<TorchFacts> {
  const facts = parseTorchProbe(await readFile(recorded(file), 'utf8'));
  if (!facts.ok) throw new Error(facts.message);
  return facts;
}
const a100 = async (cudaVersion = '12.4'): Promise<NvidiaFacts> => ({ driverVersion: '550.54.15', cudaVersion, gpus: parseGpuQuery(await readFile(recorded('nvidia-smi-query-a100.csv'), 'utf8')) });
const byId = (checks: readonly CheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c]));
const rules = async (patch: Partial<CudaRuleInput> = {}) => byId(cudaRules({ torch: await torchOf('torch-probe-cuda.json'), nvidia: await a100(), required: true, minFreeMiB: 10240, ...patch }));

describe('CUDA compatibility rules', () => {
  it('all pass for torch 2.3.1+cu121 on the A100 node, each with its measured value', async () => {
    const checks = await rules();
    expect(Object.values(checks).map((c) => [c.id, c.status])).toEqual([
      ['torch-cuda-build', 'passed'], ['torch-driver-cuda', 'passed'], ['torch-cuda-available', 'passed'], ['torch-arch', 'passed'], ['torch-cudnn', 'passed'], ['torch-gpu-memory', 'passed'],
    ]);
    expect(checks['torch-driver-cuda']?.measured).toBe('driver supports CUDA 12.4, torch is built for CUDA 12.1');
    expect(checks['torch-arch']?.measured).toBe('cuda:0 NVIDIA A100-SXM4-40GB sm_80: native (sm_80); cuda:1 NVIDIA A100-SXM4-40GB sm_80: native (sm_80)');
    expect(checks['torch-cudnn']?.measured).toBe('cuDNN 8.9.2');
    expect(checks['torch-gpu-memory']?.measured).toBe('29880 MiB free on cuda:0 NVIDIA A100-SXM4-40GB (torch.cuda.mem_get_info)');
  });

  it('a driver older than torch\'s CUDA fails, with the driver upgrade or a matching wheel as the fix', async () => {
    const check = (await rules({ nvidia: await a100('11.8') }))['torch-driver-cuda'];
    expect(check).toMatchObject({ status: 'failed', measured: 'driver supports CUDA 11.8, torch is built for CUDA 12.1' });
    expect(check?.fix).toBe('upgrade the NVIDIA driver to one for CUDA ≥ 12.1, or install torch built for it: pip install torch --index-url https://download.pytorch.org/whl/cu118');
  });

  it('a GPU outside torch\'s arch list fails, naming the arch; an unknown driver CUDA could not be checked', async () => {
    const torch = await torchOf('torch-probe-cuda.json');
    const blackwell = { ...torch, devices: [{ index: 0, name: 'NVIDIA RTX PRO 6000', capability: '12.0', freeBytes: 90e9, totalBytes: 96e9 }] };
    const checks = await rules({ torch: blackwell, nvidia: { message: 'nvidia-smi not found: no NVIDIA driver on this machine' } });
    expect(checks['torch-arch']).toMatchObject({ status: 'failed', measured: 'cuda:0 NVIDIA RTX PRO 6000 sm_120: unsupported' });
    expect(checks['torch-arch']?.fix).toMatch(/^install a torch build whose arch list has sm_120/);
    expect(checks['torch-driver-cuda']).toMatchObject({ status: 'inconclusive', measured: "the driver's CUDA version is unknown: nvidia-smi not found: no NVIDIA driver on this machine" });
  });

  it('without torch\'s own view of the GPUs, the arch rule uses nvidia-smi\'s GPUs through CUDA_VISIBLE_DEVICES', async () => {
    const torch = { ...(await torchOf('torch-probe-cuda.json')), devices: [] };
    expect((await rules({ torch, visibleDevices: '1' }))['torch-arch']?.measured).toBe('GPU 1 NVIDIA A100-SXM4-40GB sm_80: native (sm_80)');
  });

  it('torch.cuda.is_available() False, no cuDNN, too little free memory: each its own failure and fix', async () => {
    const torch = await torchOf('torch-probe-cuda.json');
    const unavailable = await rules({ torch: { ...torch, cudaAvailable: false, cudaError: 'CUDA driver initialization failed', archList: [], devices: [] }, visibleDevices: '0' });
    expect(unavailable['torch-cuda-available']).toMatchObject({ status: 'failed', measured: 'is_available() False: CUDA driver initialization failed', fix: expect.stringContaining('CUDA_VISIBLE_DEVICES (CUDA_VISIBLE_DEVICES=0)') });
    expect(unavailable['torch-arch']?.status).toBe('inconclusive');
    expect(unavailable['torch-gpu-memory']).toMatchObject({ status: 'inconclusive', measured: 'torch sees no GPU, so it cannot measure one' });
    expect((await rules({ torch: { ...torch, cudnn: null } }))['torch-cudnn']).toMatchObject({ status: 'failed', fix: expect.stringContaining('nvidia-cudnn-cu12') });
    expect((await rules({ minFreeMiB: 35000 }))['torch-gpu-memory']).toMatchObject({ status: 'failed', required: '≥ 35000 MiB on cuda:0' });
    expect((await rules({ minFreeMiB: 35000, required: false }))['torch-gpu-memory']?.status).toBe('warned');
  });

  it('a CPU-only build is named as such, once, with the CUDA wheel for the driver as the fix', async () => {
    const checks = cudaRules({ torch: await torchOf('torch-probe-cpu.json'), nvidia: await a100(), required: true });
    expect(checks).toEqual([{
      id: 'torch-cuda-build', title: 'PyTorch CUDA build', required: 'a CUDA build', status: 'failed',
      measured: 'torch 2.3.1+cpu is a CPU-only build (torch.version.cuda is None)',
      fix: "install a CUDA build in the service's venv: pip install --force-reinstall torch==2.3.1 --index-url https://download.pytorch.org/whl/cu124",
    }]);
  });
});
