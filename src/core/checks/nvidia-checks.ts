/**
 * The NVIDIA driver, its CUDA version and the free memory of the GPU the service will use, with a
 * distinct result for each kind of host: several GPUs, MIG, memory reported as [N/A], a driver too
 * old for compute_cap, a driver that is not loaded (exit 9: failed), an nvidia-smi that hangs or prints
 * garbage (inconclusive), no nvidia-smi at all (failed when required).
 */
import type { GpuInfo, NvidiaFacts } from '../../probes/nvidia.js';
import { probeNvidia } from '../../probes/nvidia.js';
import type { ProbeOptions, ProbeResult } from '../../probes/types.js';
import { satisfies } from '../../model/version-range.js';
import type { CheckResult } from '../../model/record.js';
import type { NvidiaRequirement } from '../../plan/types.js';
import { visibleGpus } from './visible-gpus.js';

const describeGpu = (gpu: GpuInfo) =>
  `${gpu.index} ${gpu.name}${gpu.computeCapability ? ` (sm_${gpu.computeCapability.replace('.', '')})` : ''}${gpu.mig ? ' [MIG]' : ''}`;

function driverCheck(facts: NvidiaFacts): CheckResult {
  const notes = facts.unknownFields?.includes('compute_cap') ? '; compute capability not reported (this driver predates compute_cap)' : '';
  return { id: 'nvidia', title: 'NVIDIA driver', status: 'passed', measured: `driver ${facts.driverVersion}, ${facts.gpus.length} GPU(s): ${facts.gpus.map(describeGpu).join(', ')}${notes}` };
}

function unreachable(message: string, reason: 'missing' | 'failed' | 'unanswered', required: boolean): CheckResult {
  if (!required) return { id: 'nvidia', title: 'NVIDIA driver', status: 'skipped', measured: `${message} — GPU checks skipped (optional in this plan)` };
  const base = { id: 'nvidia', title: 'NVIDIA driver', measured: message, required: 'an NVIDIA driver and GPU' };
  // No nvidia-smi: the node lacks the driver. A driver that answers "not loaded" (exit 9): the GPU cannot be
  // used now, whatever the reason — failed. Only a probe that could not get an answer (timeout, signal, no
  // permission, garbage) leaves the question open.
  if (reason === 'missing') return { ...base, status: 'failed', fix: 'install the NVIDIA driver (nvidia-smi must answer)' };
  if (reason === 'failed') return { ...base, status: 'failed', fix: 'load the NVIDIA driver (modprobe nvidia, or reboot after a driver upgrade); in a container, pass the GPUs in (--gpus all)' };
  return { ...base, status: 'inconclusive', fix: 'run nvidia-smi by hand: it must answer within the probe\'s time limit with its usual table' };
}

function freeMemoryCheck(requirement: NvidiaRequirement & { minFreeMiB: number }, gpus: readonly GpuInfo[], visible: string | undefined): CheckResult {
  const base = { id: 'gpu-memory', title: 'Free GPU memory', required: `≥ ${requirement.minFreeMiB} MiB on the GPU the service will use` };
  const unmet = requirement.required ? 'failed' : 'warned';
  const cannot = requirement.required ? 'inconclusive' : 'skipped';
  const seen = visibleGpus(gpus, visible);
  const gpu = seen.gpus[0];
  if (!gpu && seen.migInstance) return { ...base, status: cannot, measured: `${seen.note}: its free memory is not reported by nvidia-smi --query-gpu`, fix: 'add environment.torch to the plan: the PyTorch check measures the instance the service sees' };
  if (!gpu) return { ...base, status: unmet, measured: `no GPU visible to the service (${seen.note ?? 'none listed'})`, fix: 'set CUDA_VISIBLE_DEVICES in service.env to an index or UUID that nvidia-smi -L lists' };
  const which = `GPU ${gpu.index} (${gpu.name})${seen.note ? `, by ${seen.note}` : ''}`;
  if (gpu.mig) return { ...base, status: cannot, measured: `${which} is in MIG mode: nvidia-smi --query-gpu does not report its instances' free memory`, fix: 'add environment.torch to the plan: the PyTorch check measures the instance the service sees' };
  if (gpu.memoryFreeMiB === null) return { ...base, status: cannot, measured: `${which} reports its memory as [N/A] (unified memory): free GPU memory cannot be read from nvidia-smi`, fix: 'add environment.torch to the plan: the PyTorch check measures free memory with torch.cuda.mem_get_info' };
  const ok = gpu.memoryFreeMiB >= requirement.minFreeMiB;
  const others = gpus.filter((g) => g !== gpu && g.memoryFreeMiB !== null).map((g) => `GPU ${g.index}: ${g.memoryFreeMiB} MiB`);
  return {
    ...base,
    status: ok ? 'passed' : unmet,
    measured: `${gpu.memoryFreeMiB} MiB free on ${which}${others.length ? ` (${others.join(', ')})` : ''}`,
    ...(ok ? {} : { fix: `stop other processes on GPU ${gpu.index} (nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv), or point CUDA_VISIBLE_DEVICES at a GPU with room` }),
  };
}

export async function nvidiaChecks(requirement: NvidiaRequirement, options: ProbeOptions & { readonly visibleDevices?: string }): Promise<{ checks: CheckResult[]; facts: ProbeResult<NvidiaFacts> }> {
  const facts = await probeNvidia(options);
  if (!facts.ok) return { checks: [unreachable(facts.message, facts.reason, requirement.required)], facts };
  const checks: CheckResult[] = [driverCheck(facts)];
  if (requirement.cuda) {
    const ok = facts.cudaVersion !== undefined && satisfies(facts.cudaVersion, requirement.cuda);
    checks.push({
      id: 'cuda',
      title: 'CUDA (driver)',
      status: facts.cudaVersion === undefined ? (requirement.required ? 'inconclusive' : 'skipped') : ok ? 'passed' : requirement.required ? 'failed' : 'warned',
      measured: facts.cudaVersion ? `CUDA ${facts.cudaVersion}` : 'CUDA version not shown by nvidia-smi',
      required: `CUDA ${requirement.cuda}`,
      ...(ok ? {} : { fix: 'upgrade the NVIDIA driver to one that supports this CUDA version' }),
    });
  }
  const { minFreeMiB } = requirement;
  if (minFreeMiB !== undefined) checks.push(freeMemoryCheck({ ...requirement, minFreeMiB }, facts.gpus, options.visibleDevices));
  return { checks, facts };
}
