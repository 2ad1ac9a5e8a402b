/**
 * The engine: runs the steps in order on one AbortController, skips what cannot run, times each
 * step (less the operator's think time), emits one stream of events, and returns the drill's
 * record. Steps that always run (teardown) run on every path; the record is saved before the end
 * is announced.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { logTail } from '../adapters/log-follow.js';
import { onForcedExit } from '../adapters/live-groups.js';
import { systemRunner } from '../adapters/run.js';
import { formatDuration } from '../model/format.js';
import { redactDeep, redactUrl } from '../model/redact.js';
import { goalMs } from '../plan/rules.js';
import { changesSinceLastDrill } from '../history/changes.js';
import { claimReportDir, reportDirFor } from '../history/paths.js';
import { DrillError, usageError } from '../model/errors.js';
import type { AskPort } from '../model/ports.js';
import type { DrillEvent, ProgressInfo } from '../model/events.js';
import type { DrillRecord, StepId, StepRecord, StepStatus } from '../model/record.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { RecordFold } from './record.js';
import { Timetable } from './schedule.js';
import { stepsFor } from './steps/index.js';
import type { AnyStep, DrillOptions, StepOutputs, StepRunContext } from './steps/step.js';
import { markedRunner } from '../adapters/marked-runner.js';
import { newRunId } from '../adapters/run-mark.js';
import { decideVerdict, EXIT_CODES } from './verdict.js';
import { endWhatKilledDrillsLeft, forgetGoneClaims, leftByKilledDrills } from './resume.js';
import { describeHolder, earlierRunOf, ownClaim, releaseClaim, stopWhatWasLeft, takeClaim, writeClaim, type WorkspaceClaim } from './workspace-claim.js';
import { emptyDir } from '../adapters/empty-dir.js';
import { stepsSaid } from '../model/resume-text.js';

export type { DrillOptions } from './steps/step.js';

const PROGRESS_EVERY_MS = 100;

/** A step's run ended early because another step failed beside it: it ends skipped, with this as why. */
class Stopped extends Error {}

/** Passes progress on at most every PROGRESS_EVERY_MS: the first, then the latest when the time has come, and the last on flush. */
function progressPacer(pass: (progress: ProgressInfo) => void): { offer(progress: ProgressInfo): void; flush(): void } {
  let last = -Infinity;
  let held: ProgressInfo | undefined;
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!held) return;
    const progress = held;
    held = undefined;
    last = performance.now();
    pass(progress);
  };
  return {
    offer(progress) {
      held = progress;
      const finished = progress.total !== undefined && progress.current >= progress.total;
      const wait = last + PROGRESS_EVERY_MS - performance.now();
      if (finished || wait <= 0) send();
      else timer ??= setTimeout(send, wait).unref();
    },
    flush: send,
  };
}

/**
 * The restore target: a fresh scratch directory, or the operator's, which must be new or empty.
 * `check` restores nothing: its disk check looks at the scratch filesystem.
 */
async function prepareWorkspace(options: DrillOptions, startedAt: Date): Promise<{ dir: string; created: boolean; notes: string[] }> {
  if (options.mode === 'check') return { dir: os.tmpdir(), created: false, notes: [] };
  if (options.resume) return resumeWorkspace(options.resume, options, startedAt);
  if (!options.workdir) return { dir: await mkdtemp(path.join(os.tmpdir(), `whisper-drill-${options.plan.name}-`)), created: true, notes: [] };
  const dir = path.resolve(options.workdir);
  // git hands each path to git-lfs's filter process in a line-based protocol: a newline breaks the checkout.
  if (/[\n\r]/.test(dir)) throw usageError(`${JSON.stringify(dir)}: a workspace path with a line break cannot be restored into (git-lfs's filter protocol carries paths as lines); choose another --workdir`);
  const notes = await claimOrTakeOver(dir, options, startedAt);
  try {
    const entries = await readdir(dir).catch(() => undefined);
    if (entries && entries.length > 0) {
      if (!options.reuseWorkdir) throw usageError(`${dir} is not empty: restore into a new or empty directory`);
      await options.reuseWorkdir(dir);
    }
    await mkdir(dir, { recursive: true });
    return { dir, created: entries === undefined, notes };
  } catch (error) {
    // Refused: the workspace is not this drill's after all.
    releaseClaim(options.cacheRoot, ownClaim(dir, startedAt));
    throw error;
  }
}

/**
 * `--resume`: the killed drill's workspace, kept as it left it (what it restored is re-checked by the steps,
 * never trusted); what it left running is stopped first. It was made by that drill, or not, as it said.
 */
async function resumeWorkspace(earlier: WorkspaceClaim, options: DrillOptions, startedAt: Date): Promise<{ dir: string; created: boolean; notes: string[] }> {
  const dir = earlier.workspace;
  // Taken whole at once: killed before its first step, this drill leaves a claim the next --resume goes on
  // from — the killed run's ids (what it left may not be ended yet), its tag, and every run so far.
  const mine: WorkspaceClaim = {
    ...ownClaim(dir, startedAt),
    ...pick(earlier, ['plan', 'mode', 'created', 'keep', 'systemd', 'archive', 'tag', 'runId', 'service']),
    earlier: [...(earlier.earlier ?? []), earlierRunOf(earlier)],
  };
  takeClaim(options.cacheRoot, mine, 'only a drill that was killed is resumed; wait for this one to end');
  const stopped = await stopWhatWasLeft(earlier, options.plan.service.stopTimeoutSec * 1000);
  // The cold tier's extraction is not resumed: it is done again (the archive is read whole anyway).
  if (earlier.archive) await emptyDir(dir);
  await mkdir(dir, { recursive: true });
  const ran = earlier.steps?.length ? `; it had run ${stepsSaid(earlier.steps)}` : '';
  const seen = earlier.aliveAt ? `, last seen ${earlier.aliveAt}` : '';
  return {
    dir,
    created: earlier.created ?? false,
    notes: [`resuming the drill killed in ${dir}: ${describeHolder(earlier)}${seen}${ran}${stopped.length ? `; ${stopped.join('; ')}` : ''}; what it restored is re-checked (every LFS file re-hashed), never trusted`],
  };
}

function pick<K extends keyof WorkspaceClaim>(claim: WorkspaceClaim, keys: readonly K[]): Partial<Pick<WorkspaceClaim, K>> {
  return Object.fromEntries(keys.filter((key) => claim[key] !== undefined).map((key) => [key, claim[key]])) as Partial<Pick<WorkspaceClaim, K>>;
}

/**
 * A workspace another drill holds: refused while that drill runs, naming it; taken over when it is gone
 * (killed mid-drill): what it left running is stopped and what it restored is cleared, said in the notes.
 */
async function claimOrTakeOver(dir: string, options: DrillOptions, startedAt: Date): Promise<string[]> {
  const holder = takeClaim(options.cacheRoot, ownClaim(dir, startedAt), 'wait for it to end, or restore into another --workdir');
  if (!holder) return [];
  const stopped = await stopWhatWasLeft(holder, options.plan.service.stopTimeoutSec * 1000);
  const ran = holder.steps?.length ? `; it had run ${stepsSaid(holder.steps)}` : '';
  // What the gone drill restored is not trusted: it is cleared, and restored anew.
  await emptyDir(dir);
  return [`took over ${dir} from a drill that is gone: ${describeHolder(holder)}${ran}${stopped.length ? `; ${stopped.join('; ')}` : ''}; what it restored was cleared`];
}

/** "; recovery 5.2 s from fetch to the first correct transcript (goal 15 min: met)" — or nothing, when it was not measured. */
function recoverySaid(rto: DrillRecord['rto']): string {
  if (rto.recoveryMs === undefined) return '';
  const goal = rto.goalMs === undefined ? '' : rto.recoveryMs <= rto.goalMs ? ` (goal ${formatDuration(rto.goalMs)}: met)` : ` (goal ${formatDuration(rto.goalMs)}: MISSED by ${formatDuration(rto.recoveryMs - rto.goalMs)})`;
  const path = rto.criticalPath ? `; critical path ${rto.criticalPath.join(' → ')}` : '';
  return `; recovery ${formatDuration(rto.recoveryMs)} from fetch to the first correct transcript${goal}${path}`;
}

function errorOf(error: unknown, signal: AbortSignal): { message: string; hint?: string } {
  if (signal.aborted) return { message: 'interrupted' };
  const hint = error instanceof DrillError ? error.hint : (error as { hint?: unknown }).hint;
  const message = error instanceof Error ? error.message : String(error);
  return { message, ...(typeof hint === 'string' && hint ? { hint } : {}) };
}

interface Outcome {
  readonly status: StepStatus;
  readonly summary: string;
  readonly error?: { message: string; hint?: string };
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly operatorMs: number;
  readonly resumed?: boolean;
}

const LOG_TAIL_LINES = 30;
/** How often a drill's claim says it is alive (the accuracy of a killed run's span). */
const HEARTBEAT_MS = 1_000;

export async function runDrill(options: DrillOptions, emitRaw: (event: DrillEvent) => void): Promise<DrillRecord> {
  // Every text that leaves the drill is scrubbed: credentials in URLs, tokens, and each secret a step names.
  // The record is the fold of the very events the faces get, scrubbed alike.
  // The service's API key too: a start command may pass it on, and process command lines reach the record.
  const secrets: string[] = options.apiKey ? [options.apiKey] : [];
  const fold = new RecordFold();
  const emit = (event: DrillEvent) => {
    const scrubbed = redactDeep(event, secrets);
    fold.add(scrubbed);
    emitRaw(scrubbed);
  };
  const steps = stepsFor(options.mode, options.against, options.archive);
  // The wall clock is read once: every later time is that plus the monotonic clock's progress, so a clock
  // set back (or forward) during the drill moves neither its times nor its durations.
  const startedAt = (options.clock ?? (() => new Date()))();
  const startedMono = performance.now();
  const workspace = await prepareWorkspace(options, startedAt);
  const { signal, plan } = options;
  const wallNow = () => new Date(startedAt.getTime() + Math.round(performance.now() - startedMono));
  // The workspace is this drill's: claimed, and the claim kept current (steps done, the service's group
  // and run id) for a later drill to find what this one left, should it be killed.
  // (An operator's --workdir was claimed when it was prepared; a scratch one is this drill's alone.)
  // Every process the drill runs carries its run id: should it be killed outright, the next drill on the
  // workspace ends what it left (a pip, a git) as it ends the service.
  const drillRunId = newRunId();
  const runner = markedRunner(options.runner ?? systemRunner, drillRunId);
  // A resumed drill carries the runs before it: their spans count in its recovery time.
  const earlierRuns = options.resume ? [...(options.resume.earlier ?? []), earlierRunOf(options.resume)] : [];
  // The steps a killed run had begun (one it skipped was not done, so it is not "redone").
  const earlierSteps = new Set(earlierRuns.flatMap((run) => run.steps.filter((s) => s.status !== 'skipped').map((s) => s.id)));
  let claim: WorkspaceClaim | undefined =
    options.mode === 'check'
      ? undefined
      : {
          ...ownClaim(workspace.dir, startedAt),
          plan: plan.name,
          mode: options.mode,
          created: workspace.created,
          runId: drillRunId,
          ...(options.keep ? { keep: true } : {}),
          ...(options.systemdUnit ? { systemd: true } : {}),
          ...(options.archive ? { archive: redactUrl(options.archive) } : {}),
          // The tag the killed run chose, until this run's snapshot step chooses it again.
          ...(options.resume?.tag ? { tag: options.resume.tag } : {}),
          ...(earlierRuns.length ? { earlier: earlierRuns } : {}),
        };
  // Synced at each step's start and end; a heartbeat is not (a lost one costs a second of a killed run's span,
  // which is counted to its last sign of life: a second at most is missed of a run killed between two).
  const saveClaim = (change: Partial<WorkspaceClaim> = {}, sync = true) => {
    if (!claim) return;
    claim = { ...claim, ...change, aliveAt: wallNow().toISOString() };
    try {
      writeClaim(options.cacheRoot, claim, sync);
    } catch {
      // A cache that cannot take the claim (read-only): the drill goes on unclaimed.
    }
  };
  saveClaim();
  // A sign of life every few seconds: a drill killed now has its span (to here) counted when it is resumed.
  const heartbeat = setInterval(() => saveClaim({}, false), HEARTBEAT_MS);
  heartbeat.unref();
  const stepsInClaim = (id: StepId, entry: { id: string; status: string; durationMs?: number }) => [...(claim?.steps ?? []).filter((s) => s.id !== id), entry];
  // A forced exit (a second interrupt) kills every process group and goes: what was recorded is saved
  // first, as aborted, and a workspace the drill made is removed.
  const forced = onForcedExit(() => {
    emit({ type: 'verdict', at: wallNow().toISOString(), verdict: 'aborted', reasons: ['forced exit: interrupted again before teardown ended; every process of the drill was killed'], exitCode: EXIT_CODES.aborted, reportDir: reportDir() });
    options.saveNow?.(fold.record());
    // A workspace that stays (setup's, --keep) stays; a scratch one goes.
    if (workspace.created && options.mode !== 'setup' && !options.keep) rmSync(workspace.dir, { recursive: true, force: true });
    clearInterval(heartbeat);
    if (claim) releaseClaim(options.cacheRoot, claim);
  });
  const outputs: Partial<Record<StepId, unknown>> = {};
  let operatorMs = 0;
  // The folder is named once the tag is known, and claimed when first asked for: it is this drill's alone.
  const claimed = new Map<string, string>();
  const reportDir = () => {
    const wanted = reportDirFor(options.reportRoot, plan.name, startedAt, options.mode === 'check' ? 'check' : fold.chosenTag);
    const dir = claimed.get(wanted) ?? claimReportDir(wanted);
    claimed.set(wanted, dir);
    return dir;
  };
  const limitOf = (step: AnyStep) => step.limitMs?.(plan);
  emit({
    type: 'drill-start',
    at: startedAt.toISOString(),
    plan: plan.name,
    planFile: plan.file,
    planSha256: plan.sha256,
    ...(plan.policy ? { policy: { every: plan.policy.every } } : {}),
    mode: options.mode,
    workdir: options.mode === 'check' ? '' : workspace.dir,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    host: { hostname: os.hostname(), platform: os.platform(), release: os.release(), arch: os.arch(), cpus: os.cpus().length, memoryBytes: os.totalmem(), node: process.version },
    steps: steps.map((step) => ({ id: step.id, title: step.title, ...(limitOf(step) ? { limitMs: limitOf(step) } : {}) })),
  });
  // The goal the recovery is held to travels with the times it judges.
  if (plan.rto?.goal) emit({ type: 'rto', rto: { goalMs: goalMs(plan.rto.goal) } });
  // A workspace resumed, or taken over from a drill that was killed: said before anything runs.
  if (earlierRuns.length) emit({ type: 'resumed', earlier: earlierRuns, said: workspace.notes.join('; ') });
  else for (const note of workspace.notes) emit({ type: 'notice', line: note });
  if (options.mode !== 'check') {
    for (const ended of await endWhatKilledDrillsLeft(options.cacheRoot, plan.name, workspace.dir, plan.service.stopTimeoutSec * 1000)) emit({ type: 'notice', line: ended });
    forgetGoneClaims(options.cacheRoot);
    for (const left of leftByKilledDrills(options.cacheRoot, plan.name, workspace.dir)) emit({ type: 'notice', line: left });
  }

  // The operator's think time is not recovery time: each answer is timed, and left out of the step's
  // duration and of the RTO total (it is recorded as operatorMs).
  const timedAsk = (waited: { ms: number }): AskPort => {
    const timed = async <T>(question: () => Promise<T>): Promise<T> => {
      const asked = performance.now();
      try {
        return await question();
      } finally {
        waited.ms += performance.now() - asked;
      }
    };
    const { reviewEnvironment, linkModels } = options.ask;
    return {
      chooseTag: (tags, suggested) => timed(() => options.ask.chooseTag(tags, suggested)),
      ...(reviewEnvironment ? { reviewEnvironment: (review) => timed(() => reviewEnvironment.call(options.ask, review)) } : {}),
      ...(linkModels ? { linkModels: (links) => timed(() => linkModels.call(options.ask, links)) } : {}),
    };
  };

  // Install overlaps the LFS download unless the plan asks for the by-hand order (rto.overlap: false).
  // (A run stopped early — a dry run, or after verify — starts nothing beside the steps it does run.)
  const timetable = new Timetable(steps, options.mode !== 'check' && plan.rto?.overlap !== false && options.stopAfter === undefined);
  const running = new Map<StepId, AbortController>();

  // A transfer reports every read (thousands a second): each step's progress is passed on at most every
  // PROGRESS_EVERY_MS (the first and the last always), so that the events' redaction and fold cost nothing.
  const pacers = new Map<StepId, ReturnType<typeof progressPacer>>();
  const paced = (id: StepId, began: number) => {
    let pacer = pacers.get(id);
    if (!pacer) {
      pacer = progressPacer((progress) => emit({ type: 'progress', step: id, progress: { ...progress, elapsedMs: Math.round(performance.now() - began) } }));
      pacers.set(id, pacer);
    }
    return pacer;
  };

  const contextFor = (step: AnyStep, began: number, own: AbortSignal, waited: { ms: number }): StepRunContext<StepId> => ({
    options,
    ask: timedAsk(waited),
    plan,
    signal: own,
    runner,
    workspace,
    reportDir,
    emit,
    log: (line, stream = 'info') => emit({ type: 'log', step: step.id, stream, line }),
    progress: (progress) => paced(step.id, began).offer(progress),
    secret: (value) => {
      if (value && !secrets.includes(value)) secrets.push(value);
    },
    provide: (output) => {
      outputs[step.id] = output;
      const service = step.id === 'start' ? (output as StepOutputs['start']).service : undefined;
      if (service) saveClaim({ service: { pgid: service.pid, runId: service.runId } });
    },
    milestone: (name) => timetable.reached(step.id, name),
    reached: (id, name) => timetable.whenReached(id, name),
    outputOf: async (id) => {
      // A step running beside `id` waits for it, or for its own stop.
      await new Promise<void>((resolve, reject) => {
        if (own.aborted) return reject(own.reason);
        const stop = () => reject(own.reason);
        own.addEventListener('abort', stop, { once: true });
        void timetable.whenEnded(id).then(() => {
          own.removeEventListener('abort', stop);
          resolve();
        });
      });
      const output = outputs[id];
      if (output === undefined) throw new DrillError(`${id} produced nothing to ${step.id}`);
      return output as never;
    },
  });

  const runStep = async (step: AnyStep, own: AbortController): Promise<Outcome> => {
    const began = performance.now();
    const waited = { ms: 0 };
    try {
      const result = await step.run(contextFor(step, began, own.signal, waited), outputs as StepOutputs);
      if (result.output !== undefined) outputs[step.id] = result.output;
      return { status: result.status, summary: result.summary, evidence: result.evidence ?? {}, operatorMs: Math.round(waited.ms), ...(result.resumed ? { resumed: true } : {}) };
    } catch (error) {
      const stopped = own.signal.reason;
      if (!signal.aborted && stopped instanceof Stopped) return { status: 'skipped', summary: stopped.message, evidence: {}, operatorMs: Math.round(waited.ms) };
      const err = errorOf(error, signal);
      return { status: 'failed', summary: err.message, error: err, evidence: {}, operatorMs: Math.round(waited.ms) };
    }
  };

  const record = (step: AnyStep, outcome: Outcome, durationMs: number) => {
    const evidence = outcome.operatorMs ? { ...outcome.evidence, operatorMs: outcome.operatorMs } : outcome.evidence;
    // A resumed drill says, of each step the killed run had begun, whether it went on from there or ran again.
    const resume = earlierSteps.has(step.id) && outcome.status !== 'skipped' ? (outcome.resumed ? 'resumed' : 'redone') : undefined;
    emit({ type: 'step-end', at: wallNow().toISOString(), step: step.id, status: outcome.status, durationMs, summary: outcome.summary, ...(outcome.error ? { error: outcome.error } : {}), evidence, ...(resume ? { resume } : {}) });
    const tag = step.id === 'snapshot' ? (outputs.snapshot as StepOutputs['snapshot'] | undefined)?.tag : undefined;
    if (step.id !== 'teardown') saveClaim({ steps: stepsInClaim(step.id, { id: step.id, status: outcome.status, durationMs }), ...(tag ? { tag: { name: tag.name, commit: tag.commit } } : {}), ...(operatorMs ? { operatorMs: Math.round(operatorMs) } : {}) });
  };

  let stopReason: string | undefined;
  const runInTurn = async (step: AnyStep): Promise<void> => {
    await timetable.gate(step);
    try {
      const at = wallNow().toISOString();
      const missing = step.needs.find((need) => outputs[need] === undefined);
      const skipWhy = step.always
        ? undefined
        : signal.aborted
          ? 'not run: the drill was interrupted'
          : (stopReason ?? (missing ? `not run: ${missing} produced nothing to ${step.id}` : undefined));
      emit({ type: 'step-start', at, step: step.id, title: step.title, ...(limitOf(step) && !skipWhy ? { limitMs: limitOf(step) } : {}) });
      if (skipWhy) {
        record(step, { status: 'skipped', summary: skipWhy, evidence: {}, operatorMs: 0 }, 0);
        return;
      }
      // Each step has a signal of its own: the drill's abort reaches it, and so does a failure beside it.
      const own = new AbortController();
      const forward = () => own.abort(signal.reason);
      if (signal.aborted) forward();
      else signal.addEventListener('abort', forward, { once: true });
      running.set(step.id, own);
      // Begun: a drill killed in this step is known to have been in it (and, from fetch on, in its recovery).
      if (step.id !== 'teardown') saveClaim({ steps: stepsInClaim(step.id, { id: step.id, status: 'running' }), ...(step.id === 'fetch' ? { recoveryFrom: wallNow().toISOString() } : {}) });
      const began = performance.now();
      const outcome = await runStep(step, own);
      running.delete(step.id);
      signal.removeEventListener('abort', forward);
      pacers.get(step.id)?.flush();
      const durationMs = Math.round(performance.now() - began - outcome.operatorMs);
      operatorMs += outcome.operatorMs;
      record(step, outcome, durationMs);
      if (step.rtoKey && (outcome.status === 'passed' || outcome.status === 'warned')) emit({ type: 'rto', rto: { [step.rtoKey]: durationMs } });
      if (outcome.status === 'failed') {
        stopReason ??= signal.aborted ? 'not run: the drill was interrupted' : `not run: ${step.id} failed`;
        // What runs beside it stops: nothing of it is left running, and it says why.
        for (const [id, other] of running) if (!steps.find((s) => s.id === id)?.always) other.abort(new Stopped(`stopped: ${step.id} failed`));
      } else if (options.stopAfter === step.id) stopReason ??= `not run: dry run (stopped after ${step.id})`;
    } finally {
      timetable.ended(step.id);
    }
  };
  await Promise.all(steps.map(runInTurn));
  clearInterval(heartbeat);
  // Torn down: a workspace that stays (setup, --keep) is no longer held by this drill. A resumed drill whose
  // restore did not verify keeps its claim: the workspace stayed, and the next --resume goes on from both runs.
  const keptForResume = (outputs.teardown as StepOutputs['teardown'] | undefined)?.keptForResume === true;
  if (claim && !keptForResume) releaseClaim(options.cacheRoot, claim);
  claim = undefined;
  // A resumed drill's recovery counts the killed runs' part of it too (each from its fetch to its end).
  const recoveredIn = fold.record().rto.recoveryMs;
  const earlierRecovery = earlierRuns.reduce((sum, run) => sum + (run.recoveryMs ?? 0), 0);
  if (recoveredIn !== undefined && earlierRecovery > 0) emit({ type: 'rto', rto: { recoveryMs: recoveredIn + earlierRecovery } });
  const criticalPath = timetable.criticalPath('fetch', 'assert');
  if (criticalPath && fold.record().rto.recoveryMs !== undefined) emit({ type: 'rto', rto: { criticalPath } });

  const finishedAt = wallNow();
  const thisRunMs = finishedAt.getTime() - startedAt.getTime() - Math.round(operatorMs);
  // Both runs' spans, not the time between them.
  const totalMs = thisRunMs + earlierRuns.reduce((sum, run) => sum + run.ms, 0);
  emit({ type: 'rto', rto: { totalMs, ...(operatorMs ? { operatorMs: Math.round(operatorMs) } : {}), ...(earlierRuns.length ? { thisRunMs } : {}) } });
  const { verdict, reasons } = decideVerdict({
    aborted: signal.aborted,
    steps: fold.steps,
    inconclusive: fold.inconclusive,
    lfsFilesVerified: fold.lfsFiles.filter((f) => f.verified).length,
    assertionsRun: fold.assertions.filter((a) => a.status !== 'inconclusive').length,
    mode: options.mode,
  });
  const exitCode = EXIT_CODES[verdict];
  // A drill that did not pass keeps the service's last words in its record: the report shows them.
  const serviceLog = fold.record().service.log;
  if (verdict !== 'passed' && serviceLog) {
    const tail = await logTail(serviceLog, LOG_TAIL_LINES);
    if (tail.length > 0) emit({ type: 'service-log', path: serviceLog, tail });
  }
  // Who ran it and what they noted: from the flags, or asked by the wizard (not recovery time: the clock has stopped).
  const given = options.signOff ?? { operator: null, notes: null };
  emit({ type: 'sign-off', signOff: options.ask.signOff && options.mode !== 'check' && !signal.aborted ? await options.ask.signOff(given) : given });
  emit({ type: 'verdict', at: finishedAt.toISOString(), verdict, reasons, exitCode, reportDir: reportDir() });
  const changes = options.mode === 'check' ? null : changesSinceLastDrill(options.history ?? [], fold.record());
  if (changes) emit({ type: 'changes', changes });
  const drill = fold.record();
  forced();
  await options.save?.(drill);
  const teardown = drill.steps.find((r) => r.id === 'teardown');
  emit({
    type: 'drill-end',
    at: finishedAt.toISOString(),
    verdict,
    durationMs: totalMs,
    reportDir: drill.reportDir,
    exitCode,
    ...(drill.service.leftRunning ? { leftRunning: drill.service.leftRunning } : {}),
    cleanedUp: teardown === undefined || teardown.status !== 'failed',
    // Parts joined by "; " (the wizard's summary box shows each part on a line of its own).
    summary:
      reasons.join('; ') ||
      (options.mode === 'check'
        ? `${plan.name}: every requirement met`
        : `${plan.name} ${drill.snapshot.tag ?? ''} restored and verified`.trim() + recoverySaid(drill.rto)),
  });
  return drill;
}
