/** install: the plan's install commands in the restored tree, each line streamed, all within the step's time limit; then PyTorch, probed with the service's own python. */
import path from 'node:path';
import { describeFailure } from '../../adapters/run.js';
import { torchCheck } from '../checks/torch-check.js';
import { formatDuration } from '../format.js';
import { DrillError } from '../model.js';
import { defineStep, type StepContext } from './step.js';

/** PyTorch, probed once the install has built the service's environment. */
async function probeTorch(ctx: StepContext): Promise<{ status: 'passed' | 'warned'; summary: string } | undefined> {
  const requirement = ctx.plan.environment.torch;
  if (!requirement) return undefined;
  const python = path.join(ctx.workspace.dir, requirement.python ?? '.venv/bin/python');
  const { check, facts, problems } = await torchCheck(requirement, python, { env: ctx.options.env, runner: ctx.runner, cwd: ctx.workspace.dir, signal: ctx.signal });
  ctx.found({ checks: [check], facts: { torch: facts } });
  ctx.emit({ type: 'check', step: 'install', check });
  if (check.status === 'failed') throw new DrillError(`PyTorch check failed: ${problems.join('; ')}`, { hint: `probed with ${python}` });
  return { status: check.status === 'passed' ? 'passed' : 'warned', summary: `${check.measured}${problems.length ? ` — ${problems.join('; ')}` : ''}` };
}

export const installStep = defineStep({
  id: 'install',
  title: 'Install dependencies',
  needs: ['verify'],
  rtoKey: 'installMs',
  limitMs: (plan) => plan.installTimeoutSec * 1000,
  run: async (ctx) => {
    const started = performance.now();
    const limitMs = ctx.plan.installTimeoutSec * 1000;
    const commands = ctx.plan.install;
    for (const [index, command] of commands.entries()) {
      const remaining = limitMs - (performance.now() - started);
      if (remaining <= 0) throw new DrillError(`install did not finish within ${ctx.plan.installTimeoutSec} s (before \`${command}\`)`);
      ctx.log(`$ ${command}`, 'info');
      ctx.progress({ current: index, total: commands.length, unit: 'commands', label: command });
      const result = await ctx.runner.shell(command, {
        cwd: ctx.workspace.dir,
        env: ctx.options.env,
        signal: ctx.signal,
        timeoutMs: Math.ceil(remaining),
        keepLines: 200,
        onLine: (stream, line) => ctx.log(line, stream),
      });
      if (result.aborted) throw ctx.signal.reason ?? new Error('interrupted');
      if (result.exitCode !== 0) {
        throw new DrillError(`${describeFailure(result)} (in ${ctx.workspace.dir})`, result.timedOut ? { hint: `raise install.timeoutSec (now ${ctx.plan.installTimeoutSec})` } : {});
      }
    }
    ctx.progress({ current: commands.length, total: commands.length, unit: 'commands' });
    const took = formatDuration(performance.now() - started);
    const torch = await probeTorch(ctx);
    return {
      status: torch?.status === 'warned' ? 'warned' : 'passed',
      summary: `${commands.length} command(s) in ${took}${torch ? `; ${torch.summary}` : ''}`,
      evidence: { commands: [...commands] },
      output: { commands: commands.length },
    };
  },
});
