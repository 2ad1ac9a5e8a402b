/**
 * history: earlier drills of every plan on every host under the report root (a node's own reports,
 * or a fleet's gathered under `<root>/<host>/`), or of one plan (--plan) or host (--host): the
 * recovery time of each phase, its trend, regressions, and the age of the last passing drill
 * against the plan's policy.
 */
import path from 'node:path';
import { loadPlan } from '../plan/load.js';
import { readAllHistory } from '../history/read.js';
import { historyByHost } from '../history/trend.js';
import type { CliArgs } from './args.js';
import { renderHistory } from './history-table.js';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { PastDrill } from '../history/read.js';
import { writeAtomically } from '../outputs/index.js';
import { renderHistoryHtml } from '../outputs/history-html.js';
import { usageError } from '../model/errors.js';

/** Where reports go when neither --report-dir nor a plan says (the plans' own default). */
const DEFAULT_REPORT_DIR = 'drill-reports';

export async function historyCommand(args: CliArgs, now = new Date()): Promise<number> {
  const plan = args.plan ? await loadPlan(path.resolve(args.plan)) : undefined;
  const root = path.resolve(args.reportDir ?? plan?.report.dir ?? DEFAULT_REPORT_DIR);
  const drills = (await readAllHistory(root)).filter(
    (drill) => (!plan || drill.plan === plan.name) && (!args.host || drill.host === args.host),
  );
  const hosts = historyByHost(drills, now, plan?.policy?.every);
  if (args.html) {
    const target = path.resolve(args.html);
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw usageError(`--html ${args.html}: a directory; name the page to write`, `for example --html ${path.join(args.html, 'history.html')}`);
    await mkdir(path.dirname(target), { recursive: true });
    // Each drill links to its page: report.html, or report.md for drills saved before report.html existed.
    const linkOf = (drill: PastDrill) => path.relative(path.dirname(target), path.join(drill.dir, existsSync(path.join(drill.dir, 'report.html')) ? 'report.html' : 'report.md'));
    await writeAtomically(target, renderHistoryHtml({ root, hosts, linkOf, now }));
    process.stderr.write(`history page written to ${target}\n`);
  }
  if (args.json) {
    const filters = { ...(plan ? { plan: plan.name } : {}), ...(args.host ? { host: args.host } : {}) };
    process.stdout.write(`${JSON.stringify({ reportDir: root, ...filters, drills, hosts })}\n`);
    return 0;
  }
  if (hosts.length === 0) {
    const what = [plan ? `of ${plan.name}` : '', args.host ? `on ${args.host}` : ''].filter(Boolean).join(' ');
    process.stdout.write(`no drills${what ? ` ${what}` : ''} yet under ${root}\n`);
    return 0;
  }
  process.stdout.write(renderHistory(hosts));
  return 0;
}
