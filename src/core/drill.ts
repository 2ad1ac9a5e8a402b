/**
 * The drill: runs the steps in order on one AbortController, emits one stream of events,
 * always tears down, and always writes the report — on success, on failure and on interruption.
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeReport } from '../report/write.js';
import { buildReport, type Report, type StepRecord } from '../report/build.js';
import { UsageError } from './errors.js';
import { StepFailed, type DrillContext, type DrillOptions, type StepOutcome } from './context.js';
import { STEP_IDS, STEP_TITLES, type DrillEvent, type StepId, type Verdict } from './events.js';
import { decideVerdict, EXIT_CODES } from './verdict.js';
import { environmentStep } from './steps/environment.js';
import { snapshotStep } from './steps/snapshot.js';
import { fetchStep } from './steps/fetch.js';
import { verifyStep } from './steps/verify.js';
import { installStep } from './steps/install.js';
import { startStep } from './steps/start.js';
import { assertStep } from './steps/assert.js';
import { teardownStep } from './steps/teardown.js';
import { reportDirFor } from '../report/paths.js';
import type { Plan } from './plan/types.js';

type StepFn = (ctx: DrillContext) => Promise<StepOutcome>;

const STEPS: Readonly<Record<StepId, StepFn>> = {
  environment: environmentStep,
  snapshot: snapshotStep,
  fetch: fetchStep,
  verify: verifyStep,
  install: installStep,
  start: startStep,
  assert: assertStep,
  teardown: teardownStep,
};

/** The time limit the plan sets on a step, shown against its elapsed time. */
function stepLimitMs(plan: Plan, id: StepId): number | undefined {
  if (id === 'install') return plan.installTimeoutSec * 1000;
  if (id === 'start') return plan.service.ready.timeoutSec * 1000;
  return undefined;
}

export interface DrillResult {
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly report: Report;
  readonly reportDir: string;
}

/** The restore target: a fresh scratch directory, or the operator's, which must be new or empty. */
async function prepareWorkdir(options: DrillOptions): Promise<{ workdir: string; created: boolean }> {
  if (!options.workdir) {
    return { workdir: await mkdtemp(path.join(os.tmpdir(), `whisper-drill-${options.plan.name}-`)), created: true };
  }
  const workdir = path.resolve(options.workdir);
  const entries = await readdir(workdir).catch(() => undefined);
  if (entries && entries.length > 0) throw new UsageError(`${workdir} is not empty: restore into a new or empty directory`);
  await mkdir(workdir, { recursive: true });
  return { workdir, created: true };
}

function errorOf(error: unknown, signal: AbortSignal): { message: string; hint?: string } {
  if (signal.aborted) return { message: 'interrupted' };
  if (error instanceof StepFailed) return { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  const hint = (error as { hint?: string }).hint;
  return { message: (error as Error).message ?? String(error), ...(hint ? { hint } : {}) };
}

export async function runDrill(options: DrillOptions, emit: (event: DrillEvent) => void): Promise<DrillResult> {
  const prepared = await prepareWorkdir(options);
  const startedAt = new Date();
  const now = () => new Date().toISOString();
  const records: StepRecord[] = [];
  const stepStarted = new Map<StepId, number>();
  const ctx: DrillContext = {
    options,
    plan: options.plan,
    signal: options.signal,
    startedAt,
    emit,
    log: (step, line, stream = 'info') => emit({ type: 'log', step, stream, line }),
    progress: (step, progress) => {
      const since = stepStarted.get(step);
      emit({ type: 'progress', step, progress: since === undefined ? progress : { ...progress, elapsedMs: Math.round(performance.now() - since) } });
    },
    workdir: prepared.workdir,
    workdirCreated: prepared.created,
    tags: [],
    checks: [],
    environmentFacts: {},
    lfsFiles: [],
    rejectedObjects: new Map(),
    assertions: [],
    rto: {},
    inconclusive: [],
  };
  emit({ type: 'drill-start', at: startedAt.toISOString(), plan: options.plan.name, planFile: options.plan.file, mode: options.mode, workdir: options.workdir ?? '(scratch)' });

  const runStep = async (id: StepId, fn: () => Promise<StepOutcome>): Promise<boolean> => {
    const at = now();
    const started = performance.now();
    stepStarted.set(id, started);
    const limitMs = stepLimitMs(options.plan, id);
    emit({ type: 'step-start', at, step: id, title: STEP_TITLES[id], ...(limitMs ? { limitMs } : {}) });
    let record: StepRecord;
    try {
      const outcome = await fn();
      const waited = outcome.operatorMs ?? 0;
      record = {
        id,
        status: outcome.status,
        startedAt: at,
        durationMs: Math.round(performance.now() - started - waited),
        summary: outcome.summary,
        evidence: waited ? { ...outcome.evidence, operatorMs: waited } : (outcome.evidence ?? {}),
      };
    } catch (error) {
      const err = errorOf(error, options.signal);
      record = { id, status: 'failed', startedAt: at, durationMs: Math.round(performance.now() - started), summary: err.message, error: err, evidence: {} };
    }
    records.push(record);
    emit({ type: 'step-end', at: now(), step: id, status: record.status, durationMs: record.durationMs, summary: record.summary, ...(record.error ? { error: record.error } : {}) });
    return record.status !== 'failed';
  };

  const skip = (id: StepId, why: string) => {
    const at = now();
    records.push({ id, status: 'skipped', startedAt: at, durationMs: 0, summary: why, evidence: {} });
    emit({ type: 'step-start', at, step: id, title: STEP_TITLES[id] });
    emit({ type: 'step-end', at, step: id, status: 'skipped', durationMs: 0, summary: why });
  };

  let stopReason: string | undefined;
  const main = STEP_IDS.filter((id) => id !== 'teardown');
  for (const id of main) {
    if (stopReason !== undefined) {
      skip(id, stopReason);
      continue;
    }
    if (options.signal.aborted) {
      stopReason = 'not run: the drill was interrupted';
      skip(id, stopReason);
      continue;
    }
    if (id === 'fetch' && !ctx.reportDir) ctx.reportDir = reportDirFor(options.reportRoot, options.plan.name, startedAt, ctx.chosen?.name);
    const ok = await runStep(id, () => STEPS[id](ctx));
    if (!ok) stopReason = options.signal.aborted ? 'not run: the drill was interrupted' : `not run: ${id} failed`;
    else if (options.stopAfter === id) stopReason = `not run: dry run (stopped after ${id})`;
  }
  ctx.reportDir ??= reportDirFor(options.reportRoot, options.plan.name, startedAt, ctx.chosen?.name);
  // Teardown runs on every path: nothing may be left running or behind.
  await runStep('teardown', () => teardownStep(ctx));

  const finishedAt = new Date();
  ctx.rto.totalMs = finishedAt.getTime() - startedAt.getTime() - (ctx.rto.operatorMs ?? 0);
  const { verdict, reasons } = decideVerdict({
    aborted: options.signal.aborted,
    steps: records,
    inconclusive: ctx.inconclusive,
    lfsFilesVerified: ctx.lfsFiles.filter((f) => f.verified).length,
    assertionsRun: ctx.assertions.filter((a) => !a.inconclusive).length,
    mode: options.mode,
  });
  const report = await buildReport(ctx, records, { verdict, reasons, finishedAt });
  await writeReport(ctx.reportDir, report, ctx.serviceLog);
  const exitCode = EXIT_CODES[verdict];
  emit({
    type: 'drill-end',
    at: finishedAt.toISOString(),
    verdict,
    durationMs: ctx.rto.totalMs,
    reportDir: ctx.reportDir,
    exitCode,
    ...(ctx.leftRunning ? { leftRunning: ctx.leftRunning } : {}),
    summary: reasons.join('; ') || `${options.plan.name} ${ctx.chosen?.name ?? ''} restored and verified`.trim(),
  });
  return { verdict, exitCode, report, reportDir: ctx.reportDir };
}
