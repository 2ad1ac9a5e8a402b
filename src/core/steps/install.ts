/** install: the plan's install commands in the restored tree, each line streamed, all within the step's time limit. */
import { describeFailure, runShell } from '../../adapters/run.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';
import { formatDuration } from '../format.js';
import { torchCheck } from './torch-check.js';

export async function installStep(ctx: DrillContext): Promise<StepOutcome> {
  const started = performance.now();
  const limitMs = ctx.plan.installTimeoutSec * 1000;
  const commands = ctx.plan.install;
  for (const [index, command] of commands.entries()) {
    const remaining = limitMs - (performance.now() - started);
    if (remaining <= 0) throw new StepFailed(`install did not finish within ${ctx.plan.installTimeoutSec} s (before \`${command}\`)`);
    ctx.log('install', `$ ${command}`, 'info');
    ctx.progress('install', { current: index, total: commands.length, unit: 'commands', label: command });
    const result = await runShell(command, {
      cwd: ctx.workdir,
      env: ctx.options.env,
      signal: ctx.signal,
      timeoutMs: Math.ceil(remaining),
      keepLines: 200,
      onLine: (stream, line) => ctx.log('install', line, stream),
    });
    if (result.aborted) throw ctx.signal.reason ?? new Error('interrupted');
    if (result.exitCode !== 0) {
      throw new StepFailed(`${describeFailure(result)} (in ${ctx.workdir})`, result.timedOut ? `raise install.timeoutSec (now ${ctx.plan.installTimeoutSec})` : undefined);
    }
  }
  ctx.progress('install', { current: commands.length, total: commands.length, unit: 'commands' });
  ctx.rto.installMs = Math.round(performance.now() - started);
  const torch = await torchCheck(ctx);
  const summary = `${commands.length} command(s) in ${formatDuration(ctx.rto.installMs)}${torch ? `; ${torch.summary}` : ''}`;
  return { status: torch?.status === 'warned' ? 'warned' : 'passed', summary, evidence: { commands: [...commands] } };
}
