/** Report folders as drills leave them (report.json only), for history, metrics and policy tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillRecord, RecoveryTimes, Verdict } from '../../src/model/record.js';
import type { PastDrill } from '../../src/history/read.js';

export interface PastReport {
  readonly plan: string;
  readonly host: string;
  readonly startedAt: string;
  readonly tag: string;
  readonly verdict: Verdict;
  readonly rto: RecoveryTimes;
  readonly mode?: 'drill' | 'setup' | 'check';
  readonly policy?: string;
}

/** The drill as history reads it back from the report. */
export function asPastDrill({ policy, mode, ...report }: PastReport): PastDrill {
  return { ...report, dir: '', mode: mode ?? 'drill', ...(policy ? { policyEvery: policy } : {}) };
}

/** Writes `<root>/<plan>/<stamp>-<tag>/report.json` and returns the folder. */
export async function writePastReport(root: string, report: PastReport): Promise<string> {
  const stamp = report.startedAt.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const dir = path.join(root, report.plan, `${stamp}-${report.tag}`);
  await mkdir(dir, { recursive: true });
  const json = {
    schemaVersion: 2,
    plan: { name: report.plan, file: `/plans/${report.plan}.yaml`, sha256: '0'.repeat(64), ...(report.policy ? { policy: { every: report.policy } } : {}) },
    mode: report.mode ?? 'drill',
    snapshot: { tag: report.tag },
    host: { hostname: report.host },
    startedAt: report.startedAt,
    verdict: report.verdict,
    rto: report.rto,
  };
  await writeFile(path.join(dir, 'report.json'), JSON.stringify(json));
  return dir;
}

/** Several drills of one plan on one host, `days` apart, ending `endDaysAgo` before `now`. */
export function quarterlyDrills(host: string, totals: readonly number[], now: Date, options: { plan?: string; everyDays?: number; endDaysAgo?: number; policy?: string } = {}): PastReport[] {
  const every = options.everyDays ?? 30;
  return totals.map((total, i) => ({
    plan: options.plan ?? 'demo',
    host,
    startedAt: new Date(now.getTime() - ((totals.length - 1 - i) * every + (options.endDaysAgo ?? 1)) * 86_400_000).toISOString(),
    tag: `v1.${i}`,
    verdict: 'passed',
    rto: { fetchMs: 1000, verifyMs: 300, installMs: total - 2000, startMs: 700, firstTranscriptMs: 900, totalMs: total },
    ...(options.policy ? { policy: options.policy } : {}),
  }));
}

/** A drill's whole record, as the engine returns it, with what a PastReport says and a plausible rest. */
export function recordOf(report: PastReport, assertions: DrillRecord['assertions'] = []): DrillRecord {
  const finishedAt = new Date(Date.parse(report.startedAt) + (report.rto.totalMs ?? 0)).toISOString();
  return {
    schemaVersion: 2,
    tool: { name: 'whisper-drill', version: '0.1.0' },
    plan: { name: report.plan, file: `/plans/${report.plan}.yaml`, sha256: '0'.repeat(64), ...(report.policy ? { policy: { every: report.policy } } : {}) },
    mode: report.mode ?? 'drill',
    snapshot: { repo: 'file:///backups/whisper-backup.git', tag: report.tag, commit: 'c0ffee'.padEnd(40, '0'), signature: 'unsigned' },
    host: { hostname: report.host, platform: 'linux', release: '6.1.0', arch: 'x64', cpus: 2, memoryBytes: 8 * 1024 ** 3, node: 'v20.20.2' },
    workdir: '/tmp/whisper-drill-x',
    reportDir: `/reports/${report.plan}/x`,
    startedAt: report.startedAt,
    finishedAt,
    verdict: report.verdict,
    verdictReasons: [],
    exitCode: report.verdict === 'passed' ? 0 : 1,
    steps: [],
    environment: { checks: [], facts: {} },
    lfs: { files: [] },
    assertions,
    rto: report.rto,
    service: { log: null, leftRunning: null },
    signOff: { operator: null, notes: null },
    changes: null,
    drift: null,
    isolation: null,
    provenance: null,
    outsideInputs: [],
    connections: null,
  };
}
