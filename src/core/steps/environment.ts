/** environment: every requirement of the plan, measured, with a fix for each failure. */
import { runEnvironmentChecks, summarizeChecks } from '../checks/environment-checks.js';
import { installablePackages, installCommand, installPackages, isRoot } from '../checks/install-tools.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';
import type { CheckResult } from '../events.js';

async function measure(ctx: DrillContext): Promise<CheckResult[]> {
  const { checks, facts } = await runEnvironmentChecks(
    ctx.plan.environment,
    { env: ctx.options.env, workdir: ctx.workdir, signal: ctx.signal },
    (check) => ctx.emit({ type: 'check', step: 'environment', check }),
  );
  Object.assign(ctx.environmentFacts, facts);
  return checks;
}

/** With an operator at hand, unmet requirements can be fixed in place and checked again. */
async function reviewUntilSettled(ctx: DrillContext, first: CheckResult[]): Promise<CheckResult[]> {
  let checks = first;
  const review = ctx.options.ask.reviewEnvironment?.bind(ctx.options.ask);
  while (review && summarizeChecks(checks).failed.length > 0) {
    const installable = installablePackages(checks);
    const decision = await review({
      checks,
      installable,
      canInstall: isRoot() && installable.length > 0,
      ...(installable.length ? { installCommand: installCommand(installable) } : {}),
    });
    if (decision === 'continue') break;
    if (decision === 'quit') throw new StepFailed('the operator quit at the environment check');
    if (decision === 'install') {
      const problem = await installPackages(installable, { signal: ctx.signal, onLine: (line) => ctx.log('environment', line, 'stdout') });
      if (problem) ctx.log('environment', problem, 'info');
    }
    checks = await measure(ctx);
  }
  return checks;
}

export async function environmentStep(ctx: DrillContext): Promise<StepOutcome> {
  const checks = await reviewUntilSettled(ctx, await measure(ctx));
  ctx.checks.push(...checks);
  const { failed, inconclusive, warned } = summarizeChecks(checks);
  for (const check of inconclusive) ctx.inconclusive.push(`${check.title}: ${check.measured}`);
  if (failed.length > 0) {
    const first = failed[0]!;
    const fixes = failed.map((c) => c.fix).filter(Boolean) as string[];
    throw new StepFailed(
      `${failed.length} requirement(s) not met: ${failed.map((c) => `${c.title} (${c.measured})`).join('; ')}`,
      fixes.length ? fixes.join('; ') : `see ${first.title}`,
    );
  }
  const passed = checks.length - warned.length - inconclusive.length;
  // Short: every check is listed on its own line, with its measured value, right below.
  const notes = [...warned, ...inconclusive].map((c) => `${c.title} ${c.status}`);
  return {
    status: warned.length + inconclusive.length > 0 ? 'warned' : 'passed',
    summary: `${passed}/${checks.length} checks passed${notes.length ? ` (${notes.join(', ')})` : ''}`,
    evidence: { checks: checks.length },
  };
}
