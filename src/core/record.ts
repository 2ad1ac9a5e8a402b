/** The drill's record, assembled from what the steps found: plain data, from which every output is rendered. */
import os from 'node:os';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { mergeDrift } from './drift/report.js';
import { REPORT_SCHEMA_VERSION, type AssertionOutcome, type CheckResult, type DriftReport, type DrillRecord, type LfsFileRecord, type RecoveryTimes, type SignOff, type StepRecord, type Verdict } from '../model/record.js';
import type { DrillOptions, Findings } from './steps/step.js';

/** Collects the findings of every step, in the order they arrive. */
export class FindingsLog {
  checks: CheckResult[] = [];
  facts: Record<string, unknown> = {};
  lfsFiles: LfsFileRecord[] = [];
  assertions: AssertionOutcome[] = [];
  inconclusive: string[] = [];
  rto: RecoveryTimes = {};
  snapshot: Findings['snapshot'];
  serviceLog: string | undefined;
  leftRunning: Findings['leftRunning'];
  drift: DriftReport | undefined;
  configFiles: Findings['configFiles'];

  add(findings: Findings): void {
    if (findings.checks) this.checks.push(...findings.checks);
    if (findings.facts) Object.assign(this.facts, findings.facts);
    if (findings.lfsFiles) this.lfsFiles.push(...findings.lfsFiles);
    if (findings.assertions) this.assertions.push(...findings.assertions);
    if (findings.inconclusive) this.inconclusive.push(...findings.inconclusive);
    if (findings.rto) this.rto = { ...this.rto, ...findings.rto };
    if (findings.snapshot) this.snapshot = findings.snapshot;
    if (findings.serviceLog) this.serviceLog = findings.serviceLog;
    if (findings.leftRunning) this.leftRunning = findings.leftRunning;
    if (findings.drift) this.drift = mergeDrift(this.drift, findings.drift);
    if (findings.configFiles) this.configFiles = findings.configFiles;
  }
}

export interface RecordEnd {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly workdir: string;
  readonly reportDir: string;
  readonly steps: readonly StepRecord[];
  readonly verdict: Verdict;
  readonly reasons: readonly string[];
  readonly exitCode: number;
  readonly signOff: SignOff;
}

export function buildRecord(options: DrillOptions, found: FindingsLog, end: RecordEnd): DrillRecord {
  const tag = found.snapshot?.tag;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    plan: {
      name: options.plan.name,
      file: options.plan.file,
      sha256: options.plan.sha256,
      ...(options.plan.policy ? { policy: { every: options.plan.policy.every } } : {}),
    },
    mode: options.mode,
    snapshot: {
      repo: found.snapshot?.repo ?? null,
      tag: tag?.name ?? null,
      commit: tag?.commit ?? null,
      signature: tag?.signature ?? null,
      ...(tag?.signatureDetail ? { signatureDetail: tag.signatureDetail } : {}),
      ...(found.configFiles ? { configFiles: found.configFiles } : {}),
    },
    host: {
      hostname: os.hostname(),
      platform: os.platform(),
      release: os.release(),
      arch: os.arch(),
      cpus: os.cpus().length,
      memoryBytes: os.totalmem(),
      node: process.version,
    },
    workdir: end.workdir,
    reportDir: end.reportDir,
    startedAt: end.startedAt.toISOString(),
    finishedAt: end.finishedAt.toISOString(),
    verdict: end.verdict,
    verdictReasons: end.reasons,
    exitCode: end.exitCode,
    steps: end.steps,
    environment: { checks: found.checks, facts: found.facts },
    lfs: { files: found.lfsFiles },
    assertions: found.assertions,
    rto: found.rto,
    service: { log: found.serviceLog ?? null, leftRunning: found.leftRunning ?? null },
    drift: found.drift ?? null,
    signOff: end.signOff,
    // Filled by the engine from the history, once the record is complete.
    changes: null,
  };
}
