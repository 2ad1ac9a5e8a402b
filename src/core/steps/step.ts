/**
 * What a step is: plain data (id, title, time limit, RTO key) and a `run` that takes the typed
 * outputs of the steps it needs and returns its own. The engine orders, skips, times and aborts.
 */
import type { ArchiveChoice, ArchiveExtraction } from '../../archive/choice.js';
import type { LfsPointer } from '../../snapshot/pointers.js';
import type { ProcessRunner } from '../../adapters/run.js';
import type { ServiceProcess } from '../../adapters/process-group.js';
import type { PastDrill } from '../../history/read.js';
import type { Jail } from '../../service/jail.js';
import type { ModelWatch, WatchedModel } from '../../service/model-watch.js';
import type { NetworkDecision } from '../network.js';
import type { Landed } from '../../snapshot/lfs/download.js';
import type { Remote } from '../../snapshot/remote.js';
import type { TagListing } from '../../snapshot/tags.js';
import type { EnvironmentLock } from '../../model/environment-lock.js';
import type { Plan } from '../../plan/types.js';
import type { AskPort } from '../../model/ports.js';
import type { AssertionOutcome, CheckResult, DriftReport, DrillRecord, LeftRunning, LfsFileRecord, Mode, RecoveryTimes, RtoKey, SignOff, StepId, StepStatus } from '../../model/record.js';
import type { DrillEvent, ProgressInfo } from '../../model/events.js';
import type { WorkspaceClaim } from '../workspace-claim.js';

/**
 * What proves the service ran on the backup alone: the watch on the restored model files, the network
 * decision and, once the service runs, its jail (the connection trace); judged once, by assert or teardown.
 */
export interface ModelProof {
  readonly watch: ModelWatch;
  readonly models: readonly WatchedModel[];
  readonly network: NetworkDecision;
  jail?: Jail;
  /** How many connection attempts had been seen when the service was ready (the rest came while it answered). */
  attemptsWhenReady?: number;
  judged: boolean;
}

/** What each step hands to the steps after it. */
export interface StepOutputs {
  readonly environment: { readonly checks: readonly CheckResult[]; readonly facts: Readonly<Record<string, unknown>> };
  /** `lock`: the chosen tag's environment.lock.yaml, when it has one (install compares torch and packages with it). */
  readonly snapshot: { readonly remote?: Remote; readonly tag: TagListing; readonly lock?: EnvironmentLock; /** A drill of the cold tier: the archive instead of a remote. */ readonly archive?: ArchiveChoice };
  /** What landed for each LFS object, with the sha256 of the bytes as written (empty when git-lfs fetched). */
  /** The restored commit's LFS pointers (the listing's: fetch held the commit to the listed one), and what landed. */
  readonly fetch: {
    readonly commit: string;
    readonly pointers: readonly LfsPointer[];
    readonly landed: ReadonlyMap<string, Landed>;
    /** performance.now() when fetch began: recovery is measured from it. */
    readonly startedAtMs: number;
    /** A drill of the cold tier: what the archive held. */
    readonly archive?: ArchiveExtraction;
  };
  readonly verify: { readonly files: readonly LfsFileRecord[] };
  /**
   * `env`: the isolation's environment (scratch HOME and caches, hubs offline), for start and assert too.
   * `proof`: the watch on the restored model files, started here, attached to the service by start,
   * judged by assert (or, when assert does not run, by teardown).
   */
  readonly install: {
    readonly commands: number;
    readonly env: Readonly<Record<string, string>>;
    /** The watch, once verify has named the restored model files (undefined before). */
    readonly proof: ModelProof | undefined;
    /** The watch on verify's files: started now unless install already started it. */
    watch(verify: StepOutputs['verify']): ModelProof;
    /** Stops what install left running in the background (the models' page-cache warm-up). */
    release(): void;
  };
  readonly start: {
    readonly service: ServiceProcess;
    readonly startedAtMs: number;
    readonly log: string;
    readonly env: Readonly<Record<string, string>>;
    readonly proof: ModelProof;
  };
  readonly assert: { readonly assertions: readonly AssertionOutcome[] };
  /** keptForResume: a resumed drill's workspace left, unverified, for the next --resume (its claim stays too). */
  readonly teardown: { readonly cleanedUp: boolean; readonly keptForResume?: boolean };
}

export interface StepResult<Output> {
  readonly status: Exclude<StepStatus, 'failed'>;
  readonly summary: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
  /** Absent when the step chose to produce nothing (a dry run lists tags and picks none). */
  readonly output?: Output;
  /** A resumed drill: the step went on from what the killed run left (and re-checked), instead of doing it all again. */
  readonly resumed?: boolean;
}

/** The drill's settings, as the command line and the plan gave them. */
export interface DrillOptions {
  readonly plan: Plan;
  readonly mode: Mode;
  /** The tag to restore; without it the ask port chooses. */
  readonly tag?: string;
  /** Restore target. Drill mode: a scratch directory by default. Setup mode: required. */
  readonly workdir?: string;
  /**
   * What a `workdir` that is not empty means, as the command's policy: setup clears an earlier setup of
   * the same backup (service/earlier-setup.ts), or refuses; without it, a non-empty one is refused.
   */
  readonly reuseWorkdir?: (dir: string) => Promise<void>;
  /**
   * `--resume`: the claim of a drill that was killed before it ended. Its workspace is restored into again,
   * what it left there re-checked (LFS files re-hashed) and kept when it verifies; its span counts in the RTO.
   */
  readonly resume?: WorkspaceClaim;
  /** Keep the workspace (and in setup mode the service) after the drill. */
  readonly keep: boolean;
  readonly reportRoot: string;
  readonly cacheRoot: string;
  readonly signal: AbortSignal;
  readonly ask: AskPort;
  /** The wall clock, read once at the start (tests inject one that jumps); later times add the monotonic clock's progress. */
  readonly clock?: () => Date;
  /** Environment for the steps' tools (tests point PATH at recorded stand-ins). */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs every external tool; the system's by default. */
  readonly runner?: ProcessRunner;
  /** --dry-run stops after `snapshot`: list the tags and check the environment; restore nothing. */
  readonly stopAfter?: StepId;
  /** `check`: the service's python (already installed): PyTorch is probed with it, and its venv frozen. */
  readonly servicePython?: string;
  /** `check --against TAG`: compare the node with that tag's lock (the engine runs `snapshot` too). */
  readonly against?: string;
  /** `--archive FILE|URL`: drill the cold tier, this archive, instead of a tag of the hot one. */
  readonly archive?: string;
  /**
   * The service's API key, read from the variable the plan names (service.apiKeyEnv) by the
   * command: sent as a Bearer token, never emitted, logged or recorded.
   */
  readonly apiKey?: string;
  /** setup --yes: link each model of backup.models into the node's real HOME, where its own service loads it. */
  readonly linkModelsInHome?: boolean;
  /** setup --systemd: stop the verified service and write a systemd unit for it instead of leaving it running. */
  readonly systemdUnit?: boolean;
  /** --operator and --notes; the wizard may ask for them at the end (AskPort.signOff). */
  readonly signOff?: SignOff;
  /** Resolves `builtin:sample-backup` to the built sample repository. */
  readonly resolveBuiltinRepo?: (name: string, signal: AbortSignal) => Promise<{ url: string; allowedSigners?: string; note?: string }>;
  /** The plan's earlier drills under the report root, read once by the command (policy, tags' last drills, changes). */
  readonly history?: readonly PastDrill[];
  /**
   * `check` of a plan with a backup: section: how the live node differs from the newest tag (the
   * recovery point), a check of the environment step, measured by the command's backup side.
   */
  readonly exposure?: () => Promise<CheckResult>;
  /** Writes the record's outputs (report.json, report.md, junit.xml) before the end is announced. */
  readonly save?: (record: DrillRecord) => Promise<void>;
  /** On a forced exit (a second interrupt): the record as far as it got, saved synchronously before the process ends. */
  readonly saveNow?: (record: DrillRecord) => void;
}

/** What a step's run sees besides its inputs. */
export interface StepContext {
  readonly options: DrillOptions;
  /** The questions port, timed: the operator's think time is not part of a step's duration or the RTO. */
  readonly ask: AskPort;
  readonly plan: Plan;
  readonly signal: AbortSignal;
  readonly runner: ProcessRunner;
  readonly workspace: { readonly dir: string; readonly created: boolean };
  /** Where this run's report goes (named after the chosen tag, once there is one). */
  readonly reportDir: () => string;
  /** Facts for the record and the faces alike: the record is the fold of these events (core/record.ts). */
  readonly emit: (event: DrillEvent) => void;
  /** A line of this step's output or a note about it. */
  readonly log: (line: string, stream?: 'stdout' | 'stderr' | 'info') => void;
  readonly progress: (progress: ProgressInfo) => void;
  /** A secret (a password, a token): from now on it is scrubbed from every event and the record. */
  readonly secret: (value: string) => void;
  /** This step has reached a point another step may start at (fetch: 'checkout'). */
  readonly milestone: (name: string) => void;
  /**
   * Settles once a step running beside this one has reached `name` (install: fetch's 'wheelhouse'),
   * or has ended without reaching it; at once when the steps do not overlap (it has ended by then).
   */
  readonly reached: (step: StepId, name: string) => Promise<void>;
  /** The output of a step running beside this one, once it has ended (rejects when it produced none). */
  readonly outputOf: <Id extends StepId>(id: Id) => Promise<StepOutputs[Id]>;
}

export interface StepRunContext<Id extends StepId> extends StepContext {
  /**
   * Hands the output over before the step has finished: a step that always runs (teardown) gets it
   * even when this step then fails (a service started but never ready must still be stopped).
   */
  readonly provide: (output: StepOutputs[Id]) => void;
}

export type StepInput<Needs extends StepId> = Pick<StepOutputs, Needs> & Partial<StepOutputs>;

export interface StepDefinition<Id extends StepId = StepId, Needs extends StepId = StepId> {
  readonly id: Id;
  readonly title: string;
  /** Steps whose output this one needs: it is skipped when one of them produced none. */
  readonly needs: readonly Needs[];
  /** Runs on every path, after a failure or an abort too (teardown). */
  readonly always?: boolean;
  /** The recovery-time figure this step's duration is. */
  readonly rtoKey?: RtoKey;
  /**
   * Where it may start before the steps ahead of it have ended (install: at fetch's 'checkout'); the
   * steps after it wait for it and for those. Honoured unless the plan sets rto.overlap: false.
   */
  readonly mayStartAt?: { readonly step: StepId; readonly milestone: string };
  /** The time limit the plan sets on the step, shown against its elapsed time. */
  readonly limitMs?: (plan: Plan) => number | undefined;
  // A method (checked bivariantly), so a list can hold steps of different input and output types.
  run(ctx: StepRunContext<Id>, input: StepInput<Needs>): Promise<StepResult<StepOutputs[Id]>>;
}

/** Any step, as the engine sees the list: each one's own types were checked where it was defined. */
export type AnyStep = StepDefinition<StepId, StepId>;

/** Declares a step with its types checked against StepOutputs. */
export function defineStep<Id extends StepId, Needs extends StepId = never>(definition: StepDefinition<Id, Needs>): StepDefinition<Id, Needs> {
  return definition;
}
