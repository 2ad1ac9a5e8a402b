/**
 * The GPUs the service will use, as CUDA picks them from CUDA_VISIBLE_DEVICES: a comma-separated
 * list of indices or UUIDs (a unique prefix is enough); CUDA stops at the first entry it cannot
 * resolve, and an empty value hides every GPU.
 */
import type { GpuInfo } from '../../probes/nvidia.js';

/** CUDA_VISIBLE_DEVICES as the service will get it: the plan's service.env first, else the environment. */
export function cudaVisibleDevices(serviceEnv: Readonly<Record<string, string>> | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  return serviceEnv?.['CUDA_VISIBLE_DEVICES'] ?? env['CUDA_VISIBLE_DEVICES'];
}

export interface VisibleGpus {
  readonly gpus: readonly GpuInfo[];
  /** Why fewer GPUs are visible than the host has, in the operator's words. */
  readonly note?: string;
  /** A MIG instance was named: the service sees a GPU that --query-gpu cannot tell. */
  readonly migInstance?: boolean;
}

export function visibleGpus(gpus: readonly GpuInfo[], visible: string | undefined): VisibleGpus {
  if (visible === undefined) return { gpus };
  const chosen: GpuInfo[] = [];
  for (const token of visible.split(',').map((t) => t.trim())) {
    const match = /^\d+$/.test(token)
      ? gpus.find((gpu) => gpu.index === Number(token))
      : token.startsWith('GPU-')
        ? singleMatch(gpus.filter((gpu) => gpu.uuid.startsWith(token)))
        : undefined;
    if (!match) {
      const why = token.startsWith('MIG-') ? `${token} is a MIG instance (its parent GPU is not known from nvidia-smi --query-gpu)` : `"${token}" is no GPU of this node`;
      return { gpus: chosen, note: `CUDA_VISIBLE_DEVICES=${visible}: ${why}${chosen.length ? '; CUDA stops there' : ''}`, ...(token.startsWith('MIG-') ? { migInstance: true } : {}) };
    }
    if (!chosen.includes(match)) chosen.push(match);
  }
  return { gpus: chosen, note: `CUDA_VISIBLE_DEVICES=${visible}` };
}

function singleMatch(gpus: readonly GpuInfo[]): GpuInfo | undefined {
  return gpus.length === 1 ? gpus[0] : undefined;
}
