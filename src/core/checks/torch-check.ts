/** PyTorch, probed with the service's own Python: its version, then (when the plan wants CUDA) each CUDA rule. */
import { probeNvidia } from '../../probes/nvidia.js';
import { probeTorch } from '../../probes/torch.js';
import type { ProbeOptions } from '../../probes/types.js';
import { satisfies } from '../../model/version-range.js';
import type { CheckResult } from '../../model/record.js';
import type { TorchRequirement } from '../../plan/types.js';
import { cudaRules } from './cuda-rules.js';

export interface TorchCheckOptions extends ProbeOptions {
  /** CUDA_VISIBLE_DEVICES as the service gets it. */
  readonly visibleDevices?: string;
  /** The plan's free GPU memory need (environment.nvidia.minFreeMiB). */
  readonly minFreeMiB?: number;
}

const requiredText = (requirement: TorchRequirement) => `${requirement.version ?? 'any version'}${requirement.cuda ? ' with CUDA' : ''}`;

export async function torchCheck(
  requirement: TorchRequirement,
  python: string,
  options: TorchCheckOptions,
): Promise<{ checks: CheckResult[]; facts: unknown; problems: string[] }> {
  const [torch, nvidia] = await Promise.all([
    probeTorch(python, options),
    requirement.cuda ? probeNvidia(options) : Promise.resolve(undefined),
  ]);
  const unmet = requirement.required ? 'failed' : 'warned';
  const base = { id: 'torch', title: 'PyTorch', required: requiredText(requirement) };
  if (!torch.ok) {
    const status = torch.reason === 'unanswered' ? (requirement.required ? 'inconclusive' : 'skipped') : unmet;
    return { checks: [{ ...base, status, measured: `${torch.message} (${python})`, fix: `install the service's requirements into its venv (${python} -m pip install -r requirements.txt)` }], facts: torch, problems: [torch.message] };
  }
  const versionOk = !requirement.version || satisfies(torch.version, requirement.version);
  const build = torch.cuda ? `CUDA ${torch.cuda}${torch.cudnn ? `, cuDNN ${torch.cudnn}` : ''}` : 'CPU-only build';
  const checks: CheckResult[] = [{
    ...base,
    required: requirement.version ?? 'any version',
    status: versionOk ? 'passed' : unmet,
    measured: `torch ${torch.version} (${build}) (${python})`,
    ...(versionOk ? {} : { fix: `install torch ${requirement.version} in the service's venv` }),
  }];
  if (requirement.cuda) {
    checks.push(...cudaRules({
      torch,
      nvidia: nvidia?.ok ? nvidia : { message: nvidia?.message ?? 'nvidia-smi was not probed' },
      required: requirement.required,
      ...(options.visibleDevices !== undefined ? { visibleDevices: options.visibleDevices } : {}),
      ...(options.minFreeMiB !== undefined ? { minFreeMiB: options.minFreeMiB } : {}),
    }));
  }
  const problems = checks.filter((c) => c.status === 'failed' || c.status === 'warned').map((c) => `${c.title}: ${c.measured}`);
  return { checks, facts: torch, problems };
}

/** Without the service's Python (no install has run here) the check cannot be carried out. */
export function torchNotProbed(requirement: TorchRequirement, python: string): CheckResult {
  return {
    id: 'torch',
    title: 'PyTorch',
    status: requirement.required ? 'inconclusive' : 'skipped',
    measured: `not probed: ${python} does not exist`,
    required: requiredText(requirement),
    fix: 'set environment.torch.python to the service\'s python (e.g. /srv/whisper/.venv/bin/python), or run a drill',
  };
}
