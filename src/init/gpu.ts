/** The GPU expectations of a new plan, taken from `check`'s own NVIDIA check on this node. */
import { nvidiaChecks } from '../core/checks/nvidia-checks.js';
import type { ProbeOptions } from '../probes/types.js';

export interface GpuExpectation {
  /** A GPU answered: the plan requires one, and the model resident on it. */
  readonly required: boolean;
  /** e.g. ">=12.4" — this node's CUDA as the least a restored node needs. */
  readonly cuda?: string;
  /** What was measured, for the plan's comment and the operator. */
  readonly measured: string;
}

/** Whisper large-v3 needs ~10 GB of GPU memory: what must be free, and the range it uses once loaded. */
export const LARGE_V3 = { minFreeMiB: 10240, usedMiB: { min: 8000, max: 12000 } } as const;

export async function gpuExpectation(options: ProbeOptions = {}): Promise<GpuExpectation> {
  // Measured as optional: a node without a GPU gives a plan that says so instead of failing here.
  const { checks, facts } = await nvidiaChecks({ required: false }, options);
  const measured = checks.map((check) => check.measured).join('; ');
  if (!facts.ok) return { required: false, measured };
  const cuda = facts.cudaVersion?.split('.').slice(0, 2).join('.');
  return { required: true, ...(cuda ? { cuda: `>=${cuda}` } : {}), measured };
}
