/** history: earlier drills of the plan, oldest first, with verdicts and recovery times (the RTO trend). */
import path from 'node:path';
import { formatDuration } from '../core/format.js';
import { loadPlan } from '../core/plan/load.js';
import { readHistory } from '../report/history.js';
import type { CliArgs } from './args.js';
import { DEFAULT_PLAN } from './drill.js';

export async function historyCommand(args: CliArgs): Promise<number> {
  const plan = await loadPlan(path.resolve(args.plan ?? DEFAULT_PLAN));
  const drills = await readHistory(path.resolve(args.reportDir ?? plan.report.dir), plan.name);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ plan: plan.name, drills })}\n`);
    return 0;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (drills.length === 0) {
    out(`no drills of ${plan.name} yet under ${path.resolve(args.reportDir ?? plan.report.dir)}`);
    return 0;
  }
  const ms = (value: number | undefined) => (value === undefined ? '—' : formatDuration(value));
  out(`${'started (UTC)'.padEnd(22)}${'tag'.padEnd(24)}${'verdict'.padEnd(14)}${'fetch'.padEnd(10)}${'install'.padEnd(10)}${'total'.padEnd(10)}`);
  for (const drill of drills) {
    out(
      `${drill.startedAt.slice(0, 19).padEnd(22)}${(drill.tag ?? '—').padEnd(24)}${drill.verdict.padEnd(14)}${ms(drill.rto['fetchMs']).padEnd(10)}${ms(drill.rto['installMs']).padEnd(10)}${ms(drill.rto['totalMs']).padEnd(10)}`,
    );
  }
  return 0;
}
