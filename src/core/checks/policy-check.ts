/**
 * The plan's drill policy as an environment check: the age of the last passing drill (or setup) of
 * this plan on this host against `policy.every`. An overdue drill is a warning, never a failure —
 * the drill about to run is the remedy — and it is shown where the operator looks first: the
 * wizard's first screen, `check`, and the report.
 */
import os from 'node:os';
import type { PastDrill } from '../../history/read.js';
import { historyByHost } from '../../history/trend.js';
import { formatAge } from '../../model/format.js';
import type { CheckResult } from '../../model/record.js';
import type { Plan } from '../../plan/types.js';

/** `history`: the plan's drills under `reportRoot`, as the command read them once. */
export function drillPolicyCheck(plan: Plan, history: readonly PastDrill[], reportRoot: string, now = new Date(), hostname = os.hostname()): CheckResult | undefined {
  const every = plan.policy?.every;
  if (!every) return undefined;
  const drills = history.filter((drill) => drill.host === hostname);
  const status = historyByHost(drills, now, every)[0]?.policy;
  const lastPassedAt = status?.lastPassedAt ?? null;
  const measured = lastPassedAt ? `last passing drill ${formatAge(status?.ageMs ?? 0)} ago (${lastPassedAt.slice(0, 10)})` : `no passing drill of ${plan.name} on ${hostname} under ${reportRoot}`;
  const overdue = status?.overdue ?? true;
  return {
    id: 'drill-policy',
    title: 'Drill policy',
    status: overdue ? 'warned' : 'passed',
    measured: overdue ? `OVERDUE: ${measured}` : measured,
    required: `a passing drill every ${every}`,
    ...(overdue ? { fix: `drill it now: whisper-drill --plan ${plan.file} --yes` } : {}),
  };
}
