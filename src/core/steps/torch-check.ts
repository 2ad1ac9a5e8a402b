/** PyTorch, probed with the service's own Python once the install step has built its environment. */
import path from 'node:path';
import { probeNvidia } from '../../probes/nvidia.js';
import { checkCudaCompatibility, probeTorch } from '../../probes/torch.js';
import { satisfies } from '../../probes/version.js';
import { StepFailed, type DrillContext } from '../context.js';
import type { CheckResult } from '../events.js';

export async function torchCheck(ctx: DrillContext): Promise<{ status: 'passed' | 'warned'; summary: string } | undefined> {
  const requirement = ctx.plan.environment.torch;
  if (!requirement) return undefined;
  const python = path.join(ctx.workdir, requirement.python ?? '.venv/bin/python');
  const [torch, nvidia] = await Promise.all([
    probeTorch(python, { env: ctx.options.env, cwd: ctx.workdir, signal: ctx.signal }),
    requirement.cuda ? probeNvidia({ env: ctx.options.env, signal: ctx.signal }) : Promise.resolve(undefined),
  ]);
  ctx.environmentFacts['torch'] = torch;
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
    measured,
    required: `${requirement.version ?? 'any version'}${requirement.cuda ? ' with CUDA' : ''}`,
    ...(problems.length ? { fix: problems.join('; ') } : {}),
  };
  ctx.checks.push(check);
  ctx.emit({ type: 'check', step: 'install', check });
  if (check.status === 'failed') throw new StepFailed(`PyTorch check failed: ${problems.join('; ')}`, `probed with ${python}`);
  return { status: check.status === 'passed' ? 'passed' : 'warned', summary: `${measured}${problems.length ? ` — ${problems.join('; ')}` : ''}` };
}
