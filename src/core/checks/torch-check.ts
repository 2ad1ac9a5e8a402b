/** PyTorch, probed with the service's own Python: version, CUDA build, driver and GPU compatibility. */
import { probeNvidia } from '../../probes/nvidia.js';
import { checkCudaCompatibility, probeTorch } from '../../probes/torch.js';
import type { ProbeOptions } from '../../probes/types.js';
import { satisfies } from '../../probes/version.js';
import type { CheckResult } from '../model.js';
import type { TorchRequirement } from '../plan/types.js';

export async function torchCheck(
  requirement: TorchRequirement,
  python: string,
  options: ProbeOptions,
): Promise<{ check: CheckResult; facts: unknown; problems: string[] }> {
  const [torch, nvidia] = await Promise.all([
    probeTorch(python, options),
    requirement.cuda ? probeNvidia(options) : Promise.resolve(undefined),
  ]);
  const problems: string[] = [];
  let measured: string;
  if (!torch.ok) {
    measured = torch.message;
    problems.push(torch.message);
  } else {
    measured = `torch ${torch.version}${torch.cuda ? ` (CUDA ${torch.cuda})` : ' (CPU only)'}`;
    if (requirement.version && !satisfies(torch.version, requirement.version)) problems.push(`torch ${torch.version} does not satisfy ${requirement.version}`);
    if (requirement.cuda) problems.push(...checkCudaCompatibility(torch, nvidia?.ok ? nvidia.cudaVersion : undefined).problems);
  }
  const check: CheckResult = {
    id: 'torch',
    title: 'PyTorch',
    status: problems.length === 0 ? 'passed' : requirement.required ? 'failed' : 'warned',
    measured: `${measured} (${python})`,
    required: `${requirement.version ?? 'any version'}${requirement.cuda ? ' with CUDA' : ''}`,
    ...(problems.length ? { fix: problems.join('; ') } : {}),
  };
  return { check, facts: torch, problems };
}

/** Without the service's Python (no install has run here) the check cannot be carried out. */
export function torchNotProbed(requirement: TorchRequirement, python: string): CheckResult {
  return {
    id: 'torch',
    title: 'PyTorch',
    status: requirement.required ? 'inconclusive' : 'skipped',
    measured: `not probed: ${python} does not exist`,
    required: `${requirement.version ?? 'any version'}${requirement.cuda ? ' with CUDA' : ''}`,
    fix: 'set environment.torch.python to the service\'s python (e.g. /srv/whisper/.venv/bin/python), or run a drill',
  };
}
