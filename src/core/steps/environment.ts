/** environment: every requirement of the plan, measured, with a fix for each failure. */
import { runEnvironmentChecks, summarizeChecks } from '../checks/environment-checks.js';
import { drillPolicyCheck } from '../checks/policy-check.js';
import { cudaVisibleDevices } from '../checks/visible-gpus.js';
import { installablePackages, installCommand, installPackages, isRoot } from '../checks/install-tools.js';
import { DrillError } from '../../model/errors.js';
import type { CheckResult } from '../../model/record.js';
import { defineStep, type StepContext } from './step.js';

async function measure(ctx: StepContext): Promise<{ checks: CheckResult[]; facts: Record<string, unknown> }> {
  const { checks, facts } = await runEnvironmentChecks(
    ctx.plan.environment,
    {
      env: ctx.options.env,
      runner: ctx.runner,
      workdir: ctx.workspace.dir,
      signal: ctx.signal,
      visibleDevices: cudaVisibleDevices(ctx.plan.service.env, { ...process.env, ...ctx.options.env }),
      ...(ctx.plan.service.env?.['PATH'] !== undefined ? { servicePath: ctx.plan.service.env['PATH'] } : {}),
      ...(ctx.options.servicePython ? { servicePython: ctx.options.servicePython } : {}),
      // A node's health (`check`): its own service may hold its port; a drill or setup needs the port free.
      ...(ctx.options.mode === 'check' ? { runningService: { readyUrl: new URL(ctx.plan.service.ready.path, ctx.plan.service.url).toString(), ...(ctx.plan.service.ready.statuses ? { statuses: ctx.plan.service.ready.statuses } : {}) } } : {}),
    },
    (check) => ctx.emit({ type: 'check', step: 'environment', check }),
  );
  ctx.emit({ type: 'facts', step: 'environment', facts });
  // The age of the last passing drill against the plan's policy: a check of its own.
  const policy = drillPolicyCheck(ctx.plan, ctx.options.history ?? [], ctx.options.reportRoot);
  if (policy) ctx.emit({ type: 'check', step: 'environment', check: policy });
  // `check` with a backup: section: the recovery point, measured.
  const exposure = ctx.options.exposure ? await ctx.options.exposure() : undefined;
  if (exposure) ctx.emit({ type: 'check', step: 'environment', check: exposure });
  return { checks: [...checks, ...(policy ? [policy] : []), ...(exposure ? [exposure] : [])], facts };
}

/** With an operator at hand, unmet requirements can be fixed in place and checked again. */
async function reviewUntilSettled(ctx: StepContext, first: { checks: CheckResult[]; facts: Record<string, unknown> }): Promise<{ checks: CheckResult[]; facts: Record<string, unknown> }> {
  let measured = first;
  let { checks } = measured;
  const review = ctx.ask.reviewEnvironment?.bind(ctx.ask);
  while (review && summarizeChecks(checks).failed.length > 0) {
    const installable = installablePackages(checks);
    const decision = await review({
      checks,
      installable,
      canInstall: isRoot() && installable.length > 0,
      ...(installable.length ? { installCommand: installCommand(installable) } : {}),
    });
    if (decision === 'continue') break;
    if (decision === 'quit') {
      throw new DrillError('the operator quit at the environment check');
    }
    if (decision === 'install') {
      const problem = await installPackages(installable, { runner: ctx.runner, signal: ctx.signal, onLine: (line) => ctx.log(line, 'stdout') });
      if (problem) ctx.log(problem, 'info');
    }
    measured = await measure(ctx);
    ({ checks } = measured);
  }
  return measured;
}

export const environmentStep = defineStep({
  id: 'environment',
  title: 'Check the environment',
  needs: [],
  run: async (ctx) => {
    const { checks, facts } = await reviewUntilSettled(ctx, await measure(ctx));
    const { failed, inconclusive, warned } = summarizeChecks(checks);
    if (failed.length > 0) {
      const fixes = failed.map((c) => c.fix).filter((fix): fix is string => Boolean(fix));
      throw new DrillError(`${failed.length} requirement(s) not met: ${failed.map((c) => `${c.title} (${c.measured})`).join('; ')}`, {
        hint: fixes.length ? fixes.join('; ') : `see ${failed[0]?.title ?? 'the checks'}`,
      });
    }
    const passed = checks.length - warned.length - inconclusive.length;
    // Short: every check is listed on its own line, with its measured value, right below.
    const notes = [...warned, ...inconclusive].map((c) => `${c.title} ${c.status}`);
    return {
      status: warned.length + inconclusive.length > 0 ? 'warned' : 'passed',
      summary: `${passed}/${checks.length} checks passed${notes.length ? ` (${notes.join(', ')})` : ''}`,
      evidence: { checks: checks.length },
      output: { checks, facts },
    };
  },
});
