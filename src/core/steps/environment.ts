/** environment: every requirement of the plan, measured, with a fix for each failure. */
import { runEnvironmentChecks, summarizeChecks } from '../checks/environment-checks.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';

export async function environmentStep(ctx: DrillContext): Promise<StepOutcome> {
  const { checks, facts } = await runEnvironmentChecks(
    ctx.plan.environment,
    { env: ctx.options.env, workdir: ctx.workdir, signal: ctx.signal },
    (check) => ctx.emit({ type: 'check', step: 'environment', check }),
  );
  ctx.checks.push(...checks);
  Object.assign(ctx.environmentFacts, facts);
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
  const notes = [...warned, ...inconclusive].map((c) => `${c.title}: ${c.measured}`);
  return {
    status: warned.length + inconclusive.length > 0 ? 'warned' : 'passed',
    summary: `${passed}/${checks.length} checks passed${notes.length ? `; ${notes.join('; ')}` : ''}`,
    evidence: { checks: checks.length },
  };
}
