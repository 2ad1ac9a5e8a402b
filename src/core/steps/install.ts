/** install: the plan's install commands in the restored tree, each line streamed, all within the step's time limit; then PyTorch, probed with the service's own python. */
import os from 'node:os';
import path from 'node:path';
import { describeFailure } from '../../adapters/run.js';
import { summarizeChecks } from '../checks/environment-checks.js';
import { torchCheck } from '../checks/torch-check.js';
import { cudaVisibleDevices } from '../checks/visible-gpus.js';
import { formatDuration } from '../../model/format.js';
import { DrillError } from '../../model/errors.js';
import { isolationFor, pipIsolation } from '../isolation.js';
import { decideNetwork } from '../network.js';
import { modelFilesOf } from '../provenance.js';
import { watchModelFiles } from '../../service/model-watch.js';
import { warmPageCache } from '../../service/warm-models.js';
import { settleServiceDrift } from './drift.js';
import { defineStep, type ModelProof, type StepContext, type StepOutputs } from './step.js';

/** PyTorch, probed once the install has built the service's environment, as the service will run it (service.env). */
async function probeTorch(ctx: StepContext, isolated: Readonly<Record<string, string>>): Promise<{ status: 'passed' | 'warned'; summary: string; facts: unknown; failure?: DrillError } | undefined> {
  const requirement = ctx.plan.environment.torch;
  if (!requirement) return undefined;
  const python = path.join(ctx.workspace.dir, requirement.python ?? '.venv/bin/python');
  const env = { ...ctx.options.env, ...isolated, ...ctx.plan.service.env };
  const { checks, facts, problems } = await torchCheck(requirement, python, {
    env,
    runner: ctx.runner,
    cwd: ctx.workspace.dir,
    signal: ctx.signal,
    visibleDevices: cudaVisibleDevices(ctx.plan.service.env, { ...process.env, ...ctx.options.env }),
    minFreeMiB: ctx.plan.environment.nvidia?.minFreeMiB,
  });
  const { failed, inconclusive } = summarizeChecks(checks);
  ctx.emit({ type: 'facts', step: 'install', facts: { torch: facts } });
  for (const check of checks) ctx.emit({ type: 'check', step: 'install', check });
  const main = checks[0]!;
  const result = { status: problems.length || inconclusive.length ? ('warned' as const) : ('passed' as const), summary: `${main.measured}${problems.length ? ` — ${problems.join('; ')}` : ''}`, facts };
  if (failed.length === 0) return result;
  const hint = failed.map((c) => c.fix).filter(Boolean).join('; ') || `probed with ${python}`;
  return { ...result, failure: new DrillError(`PyTorch check failed: ${failed.map((c) => `${c.title}: ${c.measured}`).join('; ')}`, { hint }) };
}

/**
 * A command that only makes a virtual environment (`python3 -m venv .venv`, `virtualenv .venv`,
 * `uv venv`): it needs the checked-out tree alone, so it runs while the wheelhouse still downloads
 * (measured: it hides the ~2 s of torch's wheel on the bench's 100 MB/s link). Anything else — a pip
 * install, a script that may run pip, a command line of several — waits for the wheelhouse.
 */
export function makesVenvOnly(command: string): boolean {
  if (/[;&|\n`$(<>]/.test(command)) return false;
  return /^\s*(?:\S*\/)?(?:python[\d.]*\s+(?:-\S+\s+)*-m\s+venv|virtualenv|uv\s+venv)(?:\s|$)/.test(command) && !/\bpip\b/.test(command);
}

export const installStep = defineStep({
  id: 'install',
  title: 'Install dependencies',
  // Once the commit is checked out, beside the LFS download; pip waits for the backup's wheelhouse.
  needs: ['snapshot'],
  mayStartAt: { step: 'fetch', milestone: 'checkout' },
  rtoKey: 'installMs',
  limitMs: (plan) => plan.installTimeoutSec * 1000,
  run: async (ctx, input) => {
    const started = performance.now();
    const limitMs = ctx.plan.installTimeoutSec * 1000;
    const commands = ctx.plan.install;
    const network = await decideNetwork(ctx.plan, ctx.options.mode, ctx.runner, ctx.options.env, ctx.signal);
    const isolation = await isolationFor(ctx.plan, ctx.workspace.dir, network);
    ctx.emit({ type: 'isolation', isolation: isolation.record });
    // The watch on the restored model files starts once verify has named them, while the install still
    // runs: it is watching by the time the service starts. Teardown stops it on every path.
    const homes = [ctx.options.env?.HOME, process.env.HOME, isolation.env.HOME].filter((home): home is string => Boolean(home));
    let proof: ModelProof | undefined;
    // The warm-up outlives the install only while the drill goes on: a failure or teardown stops it.
    const warming = new AbortController();
    const stopWarming = () => warming.abort();
    ctx.options.signal.addEventListener('abort', stopWarming, { once: true });
    const installed: StepOutputs['install'] = {
      commands: commands.length,
      env: isolation.env,
      get proof() {
        return proof;
      },
      watch(verify) {
        if (!proof) {
          const models = modelFilesOf(verify.files, ctx.plan.service.models, ctx.workspace.dir);
          proof = { watch: watchModelFiles(models, { homes }), models, network, judged: false };
        }
        return proof;
      },
      release() {
        stopWarming();
        ctx.options.signal.removeEventListener('abort', stopWarming);
      },
    };
    ctx.provide(installed);
    void ctx.outputOf('verify').then(
      (verify) => {
        // Released (the install failed, the drill stopped): no watch, no warm-up. An install that ended well
        // before verify (a wheelhouse in place, the model still downloading) still gets both: the service
        // is yet to start, and the model landed past the page cache.
        if (warming.signal.aborted) return;
        const { models } = installed.watch(verify);
        // Beside the install, or after it: the model files into the page cache, where the service's first load finds them.
        void warmPageCache(models.map((model) => model.absolute), warming.signal);
      },
      () => undefined,
    );
    try {
      // pip from the backup's wheelhouse alone, or from the node's sources, each reported as outside the backup.
      const node = { ...process.env, ...ctx.options.env };
      const pip = pipIsolation(ctx.plan, ctx.workspace.dir, node, node.HOME ?? os.homedir(), isolation.env.HOME ?? node.HOME ?? os.homedir());
      if (pip.wheelhouse) ctx.log(`pip installs from the backup's ${path.relative(ctx.workspace.dir, pip.wheelhouse)}/ alone (no index, no node configuration)`, 'info');
      for (const input of pip.outside) ctx.emit({ type: 'outside-input', input });
      // The plan's own service.env wins: an operator may point HF_HOME at a folder the backup restores.
      const env = { ...ctx.options.env, ...isolation.env, ...pip.env, ...ctx.plan.service.env };
      for (const [index, command] of commands.entries()) {
        // Only a venv's creation runs before the backup's wheelhouse is whole: pip, and anything that may run it, waits.
        if (!makesVenvOnly(command)) await ctx.reached('fetch', 'wheelhouse');
        const remaining = limitMs - (performance.now() - started);
        if (remaining <= 0) throw new DrillError(`install did not finish within ${ctx.plan.installTimeoutSec} s (before \`${command}\`)`);
        ctx.log(`$ ${command}`, 'info');
        ctx.progress({ current: index, total: commands.length, unit: 'commands', label: command });
        const result = await ctx.runner.shell(command, {
          cwd: ctx.workspace.dir,
          env,
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
      const torch = await probeTorch(ctx, isolation.env);
      const lock = input.snapshot?.lock;
      // The drift is told even when torch then fails the step: it often says why.
      const drift = lock ? await settleServiceDrift(ctx, input.snapshot!.tag.name, lock, torch?.facts, isolation.env) : undefined;
      if (torch?.failure) throw torch.failure;
      return {
        status: torch?.status === 'warned' || drift?.warned ? 'warned' : 'passed',
        summary: `${commands.length} command(s) in ${took}${torch ? `; ${torch.summary}` : ''}${drift ? `; ${drift.line}` : ''}`,
        evidence: { commands: [...commands] },
        output: installed,
      };
    } catch (error) {
      installed.release();
      throw error;
    }
  },
});
