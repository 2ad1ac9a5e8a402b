/**
 * Who holds GPU memory: `nvidia-smi --query-compute-apps`, one row per process and GPU. The PIDs
 * are the driver's view: in a container without the host's PID namespace they are the host's.
 */
import { runProbe, unanswered } from './common.js';
import { CSV_FORMAT, csvRows, mib, nvidiaFailure } from './nvidia.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export interface ComputeApp {
  readonly pid: number;
  readonly processName: string;
  /** null when the driver reports [N/A] (e.g. some MIG or WDDM setups). */
  readonly usedMemoryMiB: number | null;
  readonly gpuUuid: string;
}

export const COMPUTE_APPS_QUERY = '--query-compute-apps=pid,process_name,used_memory,gpu_uuid';

/** Rows of `--query-compute-apps=pid,process_name,used_memory,gpu_uuid`. */
export function parseComputeApps(csv: string): ComputeApp[] {
  return csvRows(csv).flatMap((cells) => {
    const pid = Number(cells[0]);
    if (!Number.isInteger(pid) || cells.length < 4) return [];
    // A process name may contain commas; the memory and the GPU are always the last two cells.
    return [{ pid, processName: cells.slice(1, -2).join(', '), usedMemoryMiB: mib(cells.at(-2)), gpuUuid: cells.at(-1) ?? '' }];
  });
}

export async function queryComputeApps(options: ProbeOptions = {}): Promise<ProbeResult<{ apps: ComputeApp[] }>> {
  const result = await runProbe('nvidia-smi', [COMPUTE_APPS_QUERY, CSV_FORMAT], options);
  const failure = nvidiaFailure(result);
  if (failure) return failure;
  if (/not a valid field/i.test(result.stdout)) return unanswered(`this driver cannot list GPU processes with their GPU: ${result.stdout.trim()}`);
  return { ok: true, apps: parseComputeApps(result.stdout) };
}
