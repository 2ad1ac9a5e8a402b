/**
 * history: earlier drills, oldest first, with verdicts and recovery times (the RTO trend). With
 * --plan, that plan's; without, every plan found under the report directory.
 */
import path from 'node:path';
import { formatDuration } from '../core/format.js';
import { loadPlan } from '../core/plan/load.js';
import { readAllHistory, readHistory } from '../history/read.js';
import type { CliArgs } from './args.js';

/** Where reports go when neither --report-dir nor a plan says (the plans' own default). */
const DEFAULT_REPORT_DIR = 'drill-reports';

export async function historyCommand(args: CliArgs): Promise<number> {
  const plan = args.plan ? await loadPlan(path.resolve(args.plan)) : undefined;
  const root = path.resolve(args.reportDir ?? plan?.report.dir ?? DEFAULT_REPORT_DIR);
  const drills = plan ? await readHistory(root, plan.name) : await readAllHistory(root);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ reportDir: root, ...(plan ? { plan: plan.name } : {}), drills })}\n`);
    return 0;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (drills.length === 0) {
    out(`no drills${plan ? ` of ${plan.name}` : ''} yet under ${root}`);
    return 0;
  }
  const ms = (value: number | undefined) => (value === undefined ? '—' : formatDuration(value));
  const width = Math.max(6, ...drills.map((d) => d.plan.length + 2));
  out(`${'started (UTC)'.padEnd(22)}${'plan'.padEnd(width)}${'tag'.padEnd(24)}${'verdict'.padEnd(14)}${'fetch'.padEnd(10)}${'install'.padEnd(10)}${'total'.padEnd(10)}`);
  for (const drill of drills) {
    out(
      `${drill.startedAt.slice(0, 19).padEnd(22)}${drill.plan.padEnd(width)}${(drill.tag ?? '—').padEnd(24)}${drill.verdict.padEnd(14)}${ms(drill.rto['fetchMs']).padEnd(10)}${ms(drill.rto['installMs']).padEnd(10)}${ms(drill.rto['totalMs']).padEnd(10)}`,
    );
  }
  return 0;
}
