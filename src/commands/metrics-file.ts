/**
 * --metrics-file: after the report is saved, the drill's metrics for node_exporter's textfile
 * collector, written atomically (temp file + rename in the same directory, which the collector
 * skips: it reads only *.prom files) so a scrape never sees half a file.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DrillRecord } from '../model/record.js';
import { pastDrillOf, type PastDrill } from '../history/read.js';
import { historyByHost } from '../history/trend.js';
import { writeAtomically } from '../outputs/index.js';
import { renderMetrics } from '../outputs/metrics.js';

/** `history`: the plan's earlier drills, as the command read them before this one. */
export async function writeMetricsFile(file: string, record: DrillRecord, earlier: readonly PastDrill[]): Promise<void> {
  // The history of this plan on this host, this run included.
  const drills = [...earlier, pastDrillOf(record, record.reportDir)].filter((drill) => drill.host === record.host.hostname);
  const [history] = historyByHost(drills, new Date(record.finishedAt), record.plan.policy?.every);
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeAtomically(target, renderMetrics(record, history));
}
