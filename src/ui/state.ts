/** The wizard's state: a pure reducer over the core's events (plus the wizard's own few actions). */
import type { ArchiveFacts, AssertionOutcome, CheckResult, DriftReport, IsolationRecord, OutsideInput, LeftRunning, LfsFileRecord, ProvenanceRecord, SignOff, SnapshotTag, StepError, StepId, StepStatus, Verdict } from '../model/record.js';
import type { DrillEvent, ProgressInfo, StepHeading } from '../model/events.js';
import type { EnvironmentReview, ModelLink } from '../model/ports.js';

export interface StepView {
  readonly id: StepId;
  readonly title: string;
  readonly status: 'pending' | 'running' | StepStatus;
  readonly startedAtMs?: number;
  /** The step's time limit, shown against the elapsed time. */
  readonly limitMs?: number;
  readonly durationMs?: number;
  readonly summary?: string;
  readonly error?: StepError;
}

export type StepCheck = CheckResult & { readonly step: StepId };

export interface WizardState {
  readonly plan: string;
  readonly mode: string;
  readonly workdir: string;
  readonly steps: readonly StepView[];
  /** Each check with the step that measured it (the event says which). */
  readonly checks: readonly StepCheck[];
  /** Said before the first step: a resumed drill's findings (what the killed run left, what it ended). */
  readonly notices: readonly string[];
  /** How install, start and assert were kept from the node's caches (the summary says it in one line). */
  readonly isolation?: IsolationRecord;
  /** Which processes opened the restored model files. */
  readonly provenance?: ProvenanceRecord;
  /** A drill of the cold tier: the archive's checks (the summary says them in one line). */
  readonly archive?: ArchiveFacts;
  /** Package sources outside the backup install could take from (no wheelhouse). */
  readonly outsideInputs?: readonly OutsideInput[];
  readonly tags: readonly SnapshotTag[];
  readonly progress: Partial<Record<StepId, ProgressInfo>>;
  /** The last lines of the running step's output. */
  readonly tail: readonly string[];
  /** Each step's whole output (capped), for the log view. */
  readonly logs: Partial<Record<StepId, readonly string[]>>;
  /** The step whose output the log view shows: the running one, else the last that ran. */
  readonly logStep?: StepId;
  readonly assertions: readonly AssertionOutcome[];
  readonly lfsFiles: readonly LfsFileRecord[];
  /** Each step's comparison with the tag's environment.lock.yaml (snapshot: the host; install: torch and packages). */
  readonly drift: Partial<Record<StepId, DriftReport>>;
  /** A question waiting for the operator. */
  readonly question?:
    | { readonly kind: 'tag'; readonly suggested: string }
    | { readonly kind: 'environment'; readonly review: EnvironmentReview }
    /** `outran`: the drill ended while "Abort the drill?" waited for its answer. */
    | { readonly kind: 'sign-off'; readonly given: SignOff; readonly outran?: true }
    | { readonly kind: 'link-models'; readonly links: readonly ModelLink[] };
  readonly chosenTag?: string;
  /** What the operator typed to filter the tag list. */
  readonly tagFilter: string;
  readonly overlay?: 'help' | 'log';
  /** Lines scrolled up from the end of the log view (0 = follow the end). */
  readonly logScroll: number;
  readonly confirmAbort: boolean;
  readonly aborting: boolean;
  readonly end?: {
    readonly verdict: Verdict;
    readonly reportDir?: string;
    readonly durationMs: number;
    readonly exitCode: number;
    readonly summary: string;
    readonly leftRunning?: LeftRunning;
    /** What teardown found: nothing left running or behind. */
    readonly cleanedUp: boolean;
  };
}

export type WizardAction =
  | DrillEvent
  | { readonly type: 'ask-tag'; readonly suggested: string }
  | { readonly type: 'tag-chosen'; readonly tag: string }
  | { readonly type: 'tag-filter'; readonly filter: string }
  | { readonly type: 'ask-sign-off'; readonly given: SignOff }
  | { readonly type: 'signed-off' }
  | { readonly type: 'ask-link-models'; readonly links: readonly ModelLink[] }
  | { readonly type: 'link-models-decided' }
  /** Several output lines of a step at once (the store batches the core's `log` events). */
  | { readonly type: 'log-lines'; readonly step: StepId; readonly lines: readonly string[] }
  | { readonly type: 'ask-environment'; readonly review: EnvironmentReview }
  | { readonly type: 'environment-decided' }
  | { readonly type: 'toggle-overlay'; readonly overlay: 'help' | 'log' }
  | { readonly type: 'scroll-log'; readonly by: number }
  | { readonly type: 'abort-requested' }
  | { readonly type: 'abort-declined' }
  | { readonly type: 'abort-confirmed' };

export const TAIL_LINES = 6;
/** Lines of output kept per step for the log view. */
export const LOG_LINES = 5_000;

/** Until the drill announces its steps, the wizard shows the plan's name alone. */
export function initialState(plan: string, mode: string, steps: readonly StepHeading[] = []): WizardState {
  return {
    plan,
    mode,
    workdir: '',
    steps: steps.map(pending),
    checks: [],
    notices: [],
    tags: [],
    progress: {},
    tail: [],
    logs: {},
    assertions: [],
    lfsFiles: [],
    drift: {},
    tagFilter: '',
    logScroll: 0,
    confirmAbort: false,
    aborting: false,
  };
}

function pending(step: StepHeading): StepView {
  return { id: step.id, title: step.title, status: 'pending', ...(step.limitMs ? { limitMs: step.limitMs } : {}) };
}

function updateStep(state: WizardState, id: StepId, patch: Partial<StepView>): readonly StepView[] {
  return state.steps.map((step) => (step.id === id ? { ...step, ...patch } : step));
}

export function reduce(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case 'resumed':
      return { ...state, notices: [...state.notices, action.said] };
    case 'notice':
      return { ...state, notices: [...state.notices, action.line] };
    case 'drill-start':
      return { ...state, plan: action.plan, mode: action.mode, workdir: action.workdir, steps: action.steps.map(pending) };
    case 'step-start':
      return {
        ...state,
        steps: updateStep(state, action.step, { status: 'running', startedAtMs: Date.parse(action.at), ...(action.limitMs ? { limitMs: action.limitMs } : {}) }),
        tail: [],
        logStep: action.step,
        logScroll: 0,
      };
    case 'step-end':
      return {
        ...state,
        // A resumed drill's step says whether it went on from the killed run or ran again.
        steps: updateStep(state, action.step, { status: action.status, durationMs: action.durationMs, summary: action.resume ? `${action.resume}: ${action.summary}` : action.summary, ...(action.error ? { error: action.error } : {}) }),
      };
    case 'progress':
      return { ...state, progress: { ...state.progress, [action.step]: action.progress } };
    case 'log':
      return reduce(state, { type: 'log-lines', step: action.step, lines: [action.line] });
    case 'log-lines': {
      const log = [...(state.logs[action.step] ?? []), ...action.lines].slice(-LOG_LINES);
      return { ...state, tail: [...state.tail, ...action.lines].slice(-TAIL_LINES), logs: { ...state.logs, [action.step]: log } };
    }
    case 'check': {
      const others = state.checks.filter((c) => c.id !== action.check.id);
      return { ...state, checks: [...others, { ...action.check, step: action.step }] };
    }
    case 'tags':
      return { ...state, tags: action.tags };
    case 'assertion':
      return { ...state, assertions: [...state.assertions, action.outcome] };
    case 'lfs-file':
      return { ...state, lfsFiles: [...state.lfsFiles, action.file] };
    case 'drift':
      return { ...state, drift: { ...state.drift, [action.step]: action.drift } };
    case 'isolation':
      return { ...state, isolation: action.isolation };
    case 'outside-input':
      return { ...state, outsideInputs: [...(state.outsideInputs ?? []), action.input] };
    case 'provenance':
      return { ...state, provenance: action.provenance };
    case 'snapshot':
      return action.archive ? { ...state, archive: action.archive } : state;
    // Facts for the record alone: the wizard shows them through the steps' summaries and the end.
    case 'facts':
    case 'config-files':
    case 'service-log':
    case 'left-running':
    case 'rto':
    case 'connections':
    case 'sign-off':
    case 'changes':
    case 'verdict':
      return state;
    case 'drill-end':
      return {
        ...state,
        confirmAbort: false,
        aborting: false,
        end: {
          verdict: action.verdict,
          ...(action.reportDir ? { reportDir: action.reportDir } : {}),
          ...(action.leftRunning ? { leftRunning: action.leftRunning } : {}),
          durationMs: action.durationMs,
          exitCode: action.exitCode,
          summary: action.summary,
          cleanedUp: action.cleanedUp,
        },
      };
    case 'ask-tag':
      return { ...state, question: { kind: 'tag', suggested: action.suggested } };
    case 'tag-chosen': {
      const { question: _answered, ...rest } = state;
      return { ...rest, chosenTag: action.tag, tagFilter: '' };
    }
    case 'tag-filter':
      return { ...state, tagFilter: action.filter };
    case 'ask-sign-off':
      // The verdict is decided: nothing is left to abort, so a pending "Abort the drill?" is put away and said.
      return { ...state, confirmAbort: false, question: { kind: 'sign-off', given: action.given, ...(state.confirmAbort ? { outran: true as const } : {}) } };
    case 'ask-link-models':
      return { ...state, question: { kind: 'link-models', links: action.links } };
    case 'link-models-decided': {
      const { question: _answered, ...rest } = state;
      return rest;
    }
    case 'signed-off': {
      const { question: _answered, ...rest } = state;
      return rest;
    }
    case 'ask-environment':
      return { ...state, question: { kind: 'environment', review: action.review } };
    case 'environment-decided': {
      const { question: _answered, ...rest } = state;
      return rest;
    }
    case 'toggle-overlay': {
      if (state.overlay === action.overlay) {
        const { overlay: _closed, ...rest } = state;
        return rest;
      }
      return { ...state, overlay: action.overlay, logScroll: 0 };
    }
    case 'scroll-log': {
      const lines = state.logStep ? (state.logs[state.logStep]?.length ?? 0) : 0;
      return { ...state, logScroll: Math.max(0, Math.min(lines - 1, state.logScroll + action.by)) };
    }
    case 'abort-requested':
      return state.end || state.aborting ? state : { ...state, confirmAbort: true };
    case 'abort-declined':
      return { ...state, confirmAbort: false };
    case 'abort-confirmed': {
      const { question: _dropped, ...rest } = state;
      return { ...rest, confirmAbort: false, aborting: true };
    }
  }
}

/** The step that is running now, if any (the first, when install runs beside the download). */
export function runningStep(state: WizardState): StepView | undefined {
  return state.steps.find((step) => step.status === 'running');
}

/** Every step running now: install runs beside the LFS download. */
export function runningSteps(state: WizardState): StepView[] {
  return state.steps.filter((step) => step.status === 'running');
}
