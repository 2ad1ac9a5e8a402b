/** start: the plan's start command in its own process group; wait until it answers over HTTP. */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { startServiceProcess } from '../../adapters/process-group.js';
import { isPortFree } from '../../probes/ports.js';
import { probeSendsKey, waitUntilReady } from '../../service/ready.js';
import { setupPaths } from '../../service/setup-state.js';
import { DrillError } from '../../model/errors.js';
import { judgeServiceProof } from '../service-proof.js';
import { jailService } from '../../service/jail.js';
import { listensElsewhere } from '../../service/listens-elsewhere.js';
import { defineStep, type StepContext, type StepOutputs } from './step.js';
import { formatDuration } from '../../model/format.js';

function tail(lines: readonly string[]): string {
  return lines.slice(-5).join(' | ');
}

/**
 * A service that did not start: what it opened is told (the provenance), and when it never opened a
 * restored model, the failure says so — a service that loads its model by name from a cache fails
 * here once the drill's HOME is its own.
 */
async function withProvenance(ctx: StepContext, running: StepOutputs['start'], error: unknown): Promise<unknown> {
  if (ctx.signal.aborted || running.proof.judged) return error;
  const { provenance: record } = await judgeServiceProof(ctx, running.proof, running.service.pid);
  const unopened = record.files.filter((file) => file.openedBy.length === 0).map((file) => file.path);
  if (!(error instanceof DrillError) || unopened.length === 0) return error;
  const cache = ctx.plan.isolation.home === 'scratch' ? ' (the drill gave it an empty HOME and caches)' : '';
  const hint =
    `the service never opened the restored ${unopened.join(', ')}${cache}: if it loads its model by name from a cache ` +
    '(whisper.load_model("large-v3") reads ~/.cache/whisper), have it load the restored file by path, or back the cache up too';
  return new DrillError(error.message, { hint: error.hint ? `${hint}; ${error.hint}` : hint, cause: error });
}

export const startStep = defineStep({
  id: 'start',
  title: 'Start the service',
  needs: ['install', 'verify'],
  rtoKey: 'startMs',
  limitMs: (plan) => plan.service.ready.timeoutSec * 1000,
  run: async (ctx, { install, verify }) => {
    const { service } = ctx.plan;
    const startedAtMs = performance.now();
    for (const port of ctx.plan.environment.ports) {
      if (!(await isPortFree(port))) throw new DrillError(`port ${port} is already in use`, { hint: `stop whatever listens on ${port} (ss -ltnp 'sport = :${port}')` });
    }
    // A drill's service logs into the report; a new node's beside it, where it keeps running (the report gets a copy).
    const log = ctx.options.mode === 'setup' ? setupPaths(ctx.workspace.dir).log : path.join(ctx.reportDir(), 'service.log');
    await mkdir(path.dirname(log), { recursive: true });
    ctx.emit({ type: 'service-log', path: log });
    // The watch on the restored model files (started during install) is watching before the service starts: its first open is seen.
    const proof = install.watch(verify);
    const { watch, network } = proof;
    await watch.ready();
    const recent: string[] = [];
    ctx.log(`$ ${service.start}`, 'info');
    // Through the shim: in a namespace with only loopback where the host allows it, its connection attempts
    // traced. Should anything here throw, teardown (which always runs) stops the watch and closes the jail.
    const jail = network.jail.unshare || network.jail.trace ? await jailService(service.start, new URL(service.url), ctx.workspace.dir, network.jail) : undefined;
    if (jail) proof.jail = jail;
    const child = startServiceProcess(jail?.command ?? service.start, {
      display: service.start,
      cwd: ctx.workspace.dir,
      // Isolated as install was: the service finds no cached model, and no hub to fetch one from.
      env: { ...ctx.options.env, ...install.env, ...service.env },
      logFile: log,
      logMaxBytes: service.logMaxMiB * 1024 * 1024,
      // A service writing a flood of lines: the live view takes 2,000 a tenth of a second, the file all of them.
      linesPerRead: 2_000,
      onLine: (line) => {
        recent.push(line);
        if (recent.length > 50) recent.shift();
        ctx.log(line, 'stdout');
      },
    });
    watch.attach(child.pid);
    const running = { service: child, startedAtMs, log, env: install.env, proof };
    ctx.provide(running);
    const readyUrl = new URL(service.ready.path, service.url).toString();
    try {
      const outcome = await waitUntilReady({
        url: readyUrl,
        timeoutMs: service.ready.timeoutSec * 1000,
        signal: ctx.signal,
        hasExited: child.hasExited,
        answersElsewhere: listensElsewhere({ pgid: child.pid, url: new URL(service.url), knownPorts: ctx.plan.environment.ports }),
        ...(service.ready.statuses ? { statuses: service.ready.statuses } : {}),
        ...(ctx.options.apiKey && probeSendsKey(service.ready) ? { apiKey: ctx.options.apiKey } : {}),
      });
      if (!outcome.ready && outcome.reason === 'exited') {
        const exit = await child.exited;
        // Its last words are in the log: read to the end before quoting them.
        await child.stopFollowing();
        throw new DrillError(`\`${service.start}\` exited with ${exit.code ?? exit.signal} before ${readyUrl} answered: ${tail(recent)}`, { hint: `read ${log}` });
      }
      if (!outcome.ready && outcome.reason === 'elsewhere') {
        throw new DrillError(outcome.lastError, { hint: `make the start command listen on the url's port (its --port, or GRADIO_SERVER_PORT in service.env), or set service.url to where it listens` });
      }
      if (!outcome.ready && outcome.reason === 'refused') {
        const keyEnv = service.apiKeyEnv;
        const hint = ctx.options.apiKey && keyEnv ? `check the key in $${keyEnv}` : 'set service.apiKeyEnv to the variable that holds the key (and service.ready.sendApiKey if the probe needs none)';
        throw new DrillError(`${readyUrl} answered ${outcome.lastError}`, { hint });
      }
      if (!outcome.ready) {
        throw new DrillError(`${readyUrl} did not answer within ${service.ready.timeoutSec} s (last: ${outcome.lastError})`, { hint: `raise service.ready.timeoutSec or read ${log}` });
      }
      proof.attemptsWhenReady = (await proof.jail?.attempts())?.length ?? 0;
      return {
        status: 'passed',
        summary: `${readyUrl} answered HTTP ${outcome.status} after ${formatDuration(outcome.waitedMs)} (pid ${child.pid})`,
        evidence: { pid: child.pid, url: readyUrl, status: outcome.status, log },
        output: running,
      };
    } catch (error) {
      throw await withProvenance(ctx, running, error);
    } finally {
      // The whole log stays in service.log; the live tail belongs to this step only.
      await child.stopFollowing();
    }
  },
});
