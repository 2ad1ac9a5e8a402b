/** PyTorch, probed with the service's own Python once the install step has built its environment. */
import path from 'node:path';
import { torchCheck as checkTorch } from '../checks/torch-check.js';
import { StepFailed, type DrillContext } from '../context.js';

export async function torchCheck(ctx: DrillContext): Promise<{ status: 'passed' | 'warned'; summary: string } | undefined> {
  const requirement = ctx.plan.environment.torch;
  if (!requirement) return undefined;
  const python = path.join(ctx.workdir, requirement.python ?? '.venv/bin/python');
  const { check, facts, problems } = await checkTorch(requirement, python, { env: ctx.options.env, cwd: ctx.workdir, signal: ctx.signal });
  ctx.environmentFacts['torch'] = facts;
  ctx.checks.push(check);
  ctx.emit({ type: 'check', step: 'install', check });
  if (check.status === 'failed') throw new StepFailed(`PyTorch check failed: ${problems.join('; ')}`, `probed with ${python}`);
  return { status: check.status === 'passed' ? 'passed' : 'warned', summary: `${check.measured}${problems.length ? ` — ${problems.join('; ')}` : ''}` };
}
