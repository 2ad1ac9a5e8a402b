/** teardown: stop the service's whole process group (TERM, then KILL) and remove the workspace — unless setup mode or --keep. */
import { rm } from 'node:fs/promises';
import { groupAlive } from '../../adapters/process-group.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';

export async function teardownStep(ctx: DrillContext): Promise<StepOutcome> {
  const notes: string[] = [];
  const keepRunning = ctx.options.mode === 'setup' && ctx.service !== undefined && !ctx.signal.aborted && !ctx.service.hasExited();
  if (ctx.service && keepRunning) {
    await ctx.service.stopFollowing();
    ctx.service.release();
    ctx.leftRunning = { pid: ctx.service.pid, url: ctx.plan.service.url };
    notes.push(`service left running (process group ${ctx.service.pid}, ${ctx.plan.service.url}); stop it with: kill -TERM -- -${ctx.service.pid}`);
  } else if (ctx.service) {
    const stopped = await ctx.service.stop(ctx.plan.service.stopTimeoutSec * 1000);
    if (!stopped.groupGone || groupAlive(ctx.service.pid)) {
      throw new StepFailed(`process group ${ctx.service.pid} of \`${ctx.service.command}\` survived SIGKILL`, `kill -KILL -- -${ctx.service.pid}`);
    }
    notes.push(stopped.signal === 'none' ? 'service had already exited' : `service stopped with SIG${stopped.signal} in ${stopped.durationMs} ms`);
  }
  const keepFiles = ctx.options.mode === 'setup' || ctx.options.keep;
  if (keepFiles) {
    notes.push(`workspace kept at ${ctx.workdir}`);
  } else if (ctx.workdirCreated) {
    await rm(ctx.workdir, { recursive: true, force: true, maxRetries: 3 });
    notes.push(`workspace ${ctx.workdir} removed`);
  }
  return { status: 'passed', summary: notes.join('; ') || 'nothing to tear down', evidence: { notes } };
}
