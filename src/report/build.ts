/** report.json: everything an auditor needs to trust (or distrust) the drill. Versioned with schemaVersion. */
import os from 'node:os';
import { redactUrl } from '../adapters/git.js';
import type { DrillContext, LfsFileRecord, RecoveryTimes } from '../core/context.js';
import type { AssertionOutcome, CheckResult, Mode, StepError, StepId, StepStatus, Verdict } from '../core/events.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface StepRecord {
  readonly id: StepId;
  readonly status: StepStatus;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: string;
  readonly error?: StepError;
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface Report {
  readonly schemaVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly plan: { readonly name: string; readonly file: string; readonly sha256: string };
  readonly mode: Mode;
  readonly snapshot: {
    readonly repo: string | null;
    readonly tag: string | null;
    readonly commit: string | null;
    readonly signature: string | null;
    readonly signatureDetail?: string;
  };
  readonly host: { readonly hostname: string; readonly platform: string; readonly release: string; readonly arch: string; readonly cpus: number; readonly memoryBytes: number; readonly node: string };
  readonly workdir: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly verdict: Verdict;
  readonly verdictReasons: readonly string[];
  readonly steps: readonly StepRecord[];
  readonly environment: { readonly checks: readonly CheckResult[]; readonly facts: Readonly<Record<string, unknown>> };
  readonly lfs: { readonly files: readonly LfsFileRecord[] };
  readonly assertions: readonly AssertionOutcome[];
  readonly rto: RecoveryTimes;
  readonly service: { readonly log: string | null; readonly leftRunning: { pid: number; url: string } | null };
}

export function buildReport(
  ctx: DrillContext,
  steps: readonly StepRecord[],
  end: { verdict: Verdict; reasons: readonly string[]; finishedAt: Date },
): Report {
  const chosen = ctx.chosen;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    plan: { name: ctx.plan.name, file: ctx.plan.file, sha256: ctx.plan.sha256 },
    mode: ctx.options.mode,
    snapshot: {
      repo: ctx.repoUrl ? redactUrl(ctx.repoUrl) : null,
      tag: chosen?.name ?? null,
      commit: chosen?.commit ?? null,
      signature: chosen?.signature ?? null,
      ...(chosen?.signatureDetail ? { signatureDetail: chosen.signatureDetail } : {}),
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
    workdir: ctx.workdir,
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: end.finishedAt.toISOString(),
    verdict: end.verdict,
    verdictReasons: end.reasons,
    steps,
    environment: { checks: ctx.checks, facts: ctx.environmentFacts },
    lfs: { files: ctx.lfsFiles },
    assertions: ctx.assertions,
    rto: ctx.rto,
    service: { log: ctx.serviceLog ?? null, leftRunning: ctx.leftRunning ?? null },
  };
}
