/** start: the plan's start command in its own process group; wait until it answers over HTTP. */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { startServiceProcess } from '../../adapters/process-group.js';
import { isPortFree } from '../../probes/ports.js';
import { waitUntilReady } from '../../service/ready.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';
import { formatDuration } from '../format.js';

function tail(lines: readonly string[]): string {
  return lines.slice(-5).join(' | ');
}

export async function startStep(ctx: DrillContext): Promise<StepOutcome> {
  const { service } = ctx.plan;
  for (const port of ctx.plan.environment.ports) {
    if (!(await isPortFree(port))) throw new StepFailed(`port ${port} is already in use`, `stop whatever listens on ${port} (ss -ltnp 'sport = :${port}')`);
  }
  const started = performance.now();
  await mkdir(ctx.reportDir!, { recursive: true });
  ctx.serviceLog = path.join(ctx.reportDir!, 'service.log');
  const recent: string[] = [];
  ctx.log('start', `$ ${service.start}`, 'info');
  ctx.service = startServiceProcess(service.start, {
    cwd: ctx.workdir,
    env: { ...ctx.options.env, ...service.env },
    logFile: ctx.serviceLog,
    onLine: (line) => {
      recent.push(line);
      if (recent.length > 50) recent.shift();
      ctx.log('start', line, 'stdout');
    },
  });
  const readyUrl = new URL(service.ready.path, service.url).toString();
  const outcome = await waitUntilReady({
    url: readyUrl,
    timeoutMs: service.ready.timeoutSec * 1000,
    signal: ctx.signal,
    hasExited: ctx.service.hasExited,
  }).catch(async (error: unknown) => {
    // Interrupted: the live tail ends with this step, not during teardown.
    await ctx.service?.stopFollowing();
    throw error;
  });
  if (!outcome.ready) {
    await ctx.service.stopFollowing();
    if (outcome.reason === 'exited') {
      const exit = await ctx.service.exited;
      throw new StepFailed(
        `\`${service.start}\` exited with ${exit.code ?? exit.signal} before ${readyUrl} answered: ${tail(recent)}`,
        `read ${ctx.serviceLog}`,
      );
    }
    throw new StepFailed(`${readyUrl} did not answer within ${service.ready.timeoutSec} s (last: ${outcome.lastError})`, `raise service.ready.timeoutSec or read ${ctx.serviceLog}`);
  }
  ctx.rto.startMs = Math.round(performance.now() - started);
  // The whole log stays in service.log; the live tail belongs to this step only.
  await ctx.service.stopFollowing();
  return {
    status: 'passed',
    summary: `${readyUrl} answered HTTP ${outcome.status} after ${formatDuration(outcome.waitedMs)} (pid ${ctx.service.pid})`,
    evidence: { pid: ctx.service.pid, url: readyUrl, status: outcome.status, log: ctx.serviceLog },
  };
}
