/**
 * The shared vocabulary of the drill: step ids, statuses, events, the record, the ports. A leaf: it
 * imports nothing, so every layer (core, faces, outputs) may depend on it.
 */

/** Step ids are part of the contract (reports, NDJSON, junit). Their order is the steps' list in core/steps. */
export type StepId = 'environment' | 'snapshot' | 'fetch' | 'verify' | 'install' | 'start' | 'assert' | 'teardown';
export type StepStatus = 'passed' | 'failed' | 'warned' | 'skipped';
export type Verdict = 'passed' | 'failed' | 'inconclusive' | 'aborted';
export type Mode = 'drill' | 'setup' | 'check';

/** The version of the NDJSON event stream (`schemaVersion` on every event); see drills/events.schema.json. */
export const EVENTS_SCHEMA_VERSION = 1;
/** The version of report.json. */
export const REPORT_SCHEMA_VERSION = 4;

export interface StepError {
  readonly message: string;
  readonly hint?: string;
}

/** One environment requirement, with what was measured. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  /** passed | warned (optional and unmet) | failed (required and unmet) | skipped (could not run, optional) | inconclusive (could not run, required) */
  readonly status: 'passed' | 'warned' | 'failed' | 'skipped' | 'inconclusive';
  /** The measured value, e.g. "CUDA 12.4". */
  readonly measured: string;
  /** What the plan requires, e.g. ">= 12.1". */
  readonly required?: string;
  /** One-line fix for a failure, e.g. "apt-get install -y git-lfs". */
  readonly fix?: string;
  /** A package that installs the missing tool, when one does (for an offer to install it). */
  readonly installPackage?: string;
}

export interface SnapshotTag {
  readonly name: string;
  readonly commit: string;
  readonly date: string;
  readonly message: string;
  readonly lfsFiles: number;
  readonly lfsBytes: number;
  readonly signature: 'verified' | 'unsigned' | 'bad' | 'unchecked';
  readonly signatureDetail?: string;
  /** Verdict of the last drill of this tag, from earlier reports. */
  readonly lastDrill?: { readonly verdict: Verdict; readonly at: string };
}

export interface ProgressInfo {
  readonly current: number;
  readonly total?: number;
  readonly unit: 'bytes' | 'files' | 'commands' | 'assertions';
  readonly label?: string;
  /** Time since the step started, so a face can show the rate and the time left. */
  readonly elapsedMs?: number;
}

/** A process holding GPU memory, as nvidia-smi lists it, and whose it is. */
export interface GpuProcess {
  readonly pid: number;
  readonly processName: string;
  /** The GPU's index, or its UUID when nvidia-smi did not list that GPU. */
  readonly gpu: number | string;
  /** null when the driver reports [N/A]. */
  readonly usedMiB: number | null;
  /** service: in the service's process tree; other: another process of this host; unknown: a PID this host does not have. */
  readonly holder: 'service' | 'other' | 'unknown';
}

export interface AssertionOutcome {
  readonly name: string;
  readonly api: string;
  readonly audio?: string;
  readonly expected: string;
  readonly actual: string;
  readonly normalizedExpected?: string;
  readonly normalizedActual?: string;
  readonly cer: number | null;
  readonly passed: boolean;
  /** The check could not be carried out (e.g. no GPU): neither passed nor failed. */
  readonly inconclusive?: boolean;
  readonly required: boolean;
  readonly latencyMs: number | null;
  readonly detail: string;
  /** GPU-memory assertion: every process nvidia-smi listed, with its memory. */
  readonly gpuProcesses?: readonly GpuProcess[];
}

export interface LfsFileRecord {
  readonly path: string;
  readonly size: number;
  readonly oid: string;
  readonly verified: boolean;
  readonly actualSha256?: string;
  readonly actualSize?: number;
  readonly problem?: string;
}

export type DriftSeverity = 'fail' | 'warn' | 'info';

/** One way this node differs from the environment a snapshot was verified on (its environment.lock.yaml). */
export interface DriftItem {
  /** os, python, torch, cuda (torch's build), cudnn, driver, driverCuda, gpu, ffmpeg, decoders, package:<name> */
  readonly key: string;
  readonly title: string;
  /** As recorded with the snapshot; null: recorded as absent. */
  readonly recorded: string | null;
  /** On this node; null: absent here. */
  readonly current: string | null;
  /** major/minor/patch of a version; changed (a name or a list); missing here; added here. */
  readonly change: 'major' | 'minor' | 'patch' | 'changed' | 'missing' | 'added';
  /** As the plan's environment.drift sets it for that kind of change. */
  readonly severity: DriftSeverity;
}

/** The comparison of this node with the chosen tag's environment.lock.yaml. */
export interface DriftReport {
  readonly tag: string;
  /** Whether the tag carries a lock at all (a tag without one has nothing to compare). */
  readonly lockFound: boolean;
  readonly recordedAt?: string;
  /** The host the lock was recorded on. */
  readonly recordedOn?: string;
  /** The lock could not be read. */
  readonly problem?: string;
  readonly items: readonly DriftItem[];
  /** What was measured on both sides and compared (OS, Python, PyTorch, …). */
  readonly compared: readonly string[];
  /** Recorded in the lock but not measured here (e.g. torch, when the plan does not probe it). */
  readonly notCompared: readonly string[];
}

export interface RecoveryTimes {
  readonly fetchMs?: number;
  readonly verifyMs?: number;
  readonly installMs?: number;
  readonly startMs?: number;
  /** From the start of the `start` step to the first correct transcript. */
  readonly firstTranscriptMs?: number;
  /** Wall time of the whole drill, less `operatorMs`. */
  readonly totalMs?: number;
  /** Time spent waiting for the operator's answers (the tag picker, the environment review). */
  readonly operatorMs?: number;
}
export type RtoKey = 'fetchMs' | 'verifyMs' | 'installMs' | 'startMs';

/** The service left running on purpose (setup mode). */
export interface LeftRunning {
  readonly pid: number;
  readonly url: string;
  /** The command that stops it (`whisper-drill stop --dir DIR`). */
  readonly stop?: string;
  /** The service's own log, beside it. */
  readonly log?: string;
}

export interface StepRecord {
  readonly id: StepId;
  readonly status: StepStatus;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: string;
  readonly error?: StepError;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** The service's configuration files whose changes an auditor is shown: their text as restored (null: absent). */
export const AUDITED_FILES = ['config.yaml', 'configuration.json', 'requirements.txt'] as const;

/** Who ran the drill and what they noted, for the auditor. */
export interface SignOff {
  readonly operator: string | null;
  readonly notes: string | null;
}

/** What changed since the last drill (or setup) of this plan on this host. */
export interface ChangesSinceLastDrill {
  readonly since: { readonly startedAt: string; readonly tag: string | null; readonly commit: string | null; readonly verdict: Verdict; readonly reportDir: string };
  /** null when the same tag was drilled again. */
  readonly tag: { readonly from: string | null; readonly to: string | null } | null;
  /** A unified diff per audited file that changed (files the earlier report did not record are left out). */
  readonly files: readonly { readonly path: string; readonly change: 'changed' | 'added' | 'removed'; readonly diff: string }[];
  readonly unchangedFiles: readonly string[];
  /** Each phase measured both times: before, now. */
  readonly rto: readonly { readonly phase: string; readonly fromMs: number; readonly toMs: number }[];
  /**
   * The node's environment against the last drill's. Reserved for the environment drift check
   * (environment.lock.yaml): null until it records what it compares.
   */
  readonly environmentDrift: null;
}

/** Everything one drill (or check) found: plain data, from which every output is rendered. */
export interface DrillRecord {
  readonly schemaVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly plan: {
    readonly name: string;
    readonly file: string;
    readonly sha256: string;
    /** The plan's drill policy, kept so history and metrics know it without the plan file. */
    readonly policy?: { readonly every: string };
  };
  readonly mode: Mode;
  readonly snapshot: {
    readonly repo: string | null;
    readonly tag: string | null;
    readonly commit: string | null;
    readonly signature: string | null;
    readonly signatureDetail?: string;
    /** The audited configuration files as restored (AUDITED_FILES), for the next drill's comparison. */
    readonly configFiles?: Readonly<Record<string, string | null>>;
  };
  readonly host: { readonly hostname: string; readonly platform: string; readonly release: string; readonly arch: string; readonly cpus: number; readonly memoryBytes: number; readonly node: string };
  readonly workdir: string;
  readonly reportDir: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly verdict: Verdict;
  readonly verdictReasons: readonly string[];
  readonly exitCode: number;
  readonly steps: readonly StepRecord[];
  readonly environment: { readonly checks: readonly CheckResult[]; readonly facts: Readonly<Record<string, unknown>> };
  readonly lfs: { readonly files: readonly LfsFileRecord[] };
  readonly assertions: readonly AssertionOutcome[];
  readonly rto: RecoveryTimes;
  readonly service: { readonly log: string | null; readonly leftRunning: LeftRunning | null };
  /** This node against the chosen tag's environment.lock.yaml; null when nothing was compared. */
  readonly drift: DriftReport | null;
  readonly signOff: SignOff;
  /** Since the last drill of this plan on this host; null for the first one (and for `check`). */
  readonly changes: ChangesSinceLastDrill | null;
}

/** Questions the drill may need answered: the wizard answers with a screen, headless mode from flags. */
export interface AskPort {
  chooseTag(tags: readonly SnapshotTag[], suggested: string): Promise<string>;
  /**
   * Some requirement is not met: continue (the step fails), check again, install the missing
   * packages, or quit. Without it the step fails with the fixes.
   */
  reviewEnvironment?(review: EnvironmentReview): Promise<EnvironmentDecision>;
  /** At the end, before the report is written: who ran the drill, and their notes (the wizard asks). */
  signOff?(given: SignOff): Promise<SignOff>;
}

export interface EnvironmentReview {
  readonly checks: readonly CheckResult[];
  /** Debian packages that would provide the missing tools. */
  readonly installable: readonly string[];
  /** Whether they can be installed from here (root), else the command to run. */
  readonly canInstall: boolean;
  readonly installCommand?: string;
}

export type EnvironmentDecision = 'continue' | 'recheck' | 'install' | 'quit';

/** A failure with what to do about it. `usage` marks bad input found before any step ran (exit 2). */
export class DrillError extends Error {
  readonly hint?: string;
  readonly usage: boolean;
  constructor(message: string, options: { readonly hint?: string; readonly usage?: boolean; readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrillError';
    if (options.hint !== undefined) this.hint = options.hint;
    this.usage = options.usage ?? false;
  }
}

/** A usage error: bad flags, a bad plan, a missing choice in headless mode. Exit code 2. */
export function usageError(message: string, hint?: string): DrillError {
  return new DrillError(message, { usage: true, ...(hint ? { hint } : {}) });
}

export interface StepHeading {
  readonly id: StepId;
  readonly title: string;
  /** The step's time limit, when the plan sets one (install, start). */
  readonly limitMs?: number;
}

/** The events of one run. On the NDJSON stream each also carries `schemaVersion` (EVENTS_SCHEMA_VERSION). */
export type DrillEvent =
  | {
      readonly type: 'drill-start';
      readonly at: string;
      readonly plan: string;
      readonly planFile: string;
      readonly mode: Mode;
      readonly workdir: string;
      /** The steps this run will go through, in order. */
      readonly steps: readonly StepHeading[];
    }
  | { readonly type: 'step-start'; readonly at: string; readonly step: StepId; readonly title: string; readonly limitMs?: number }
  | { readonly type: 'progress'; readonly step: StepId; readonly progress: ProgressInfo }
  | { readonly type: 'log'; readonly step: StepId; readonly stream: 'stdout' | 'stderr' | 'info'; readonly line: string }
  | { readonly type: 'check'; readonly step: StepId; readonly check: CheckResult }
  | { readonly type: 'tags'; readonly tags: readonly SnapshotTag[] }
  | { readonly type: 'lfs-file'; readonly file: LfsFileRecord }
  | { readonly type: 'assertion'; readonly outcome: AssertionOutcome }
  /** The differences this step found between the node and the tag's lock (snapshot: the host; install: torch and packages). */
  | { readonly type: 'drift'; readonly step: StepId; readonly drift: DriftReport }
  | {
      readonly type: 'step-end';
      readonly at: string;
      readonly step: StepId;
      readonly status: StepStatus;
      readonly durationMs: number;
      readonly summary: string;
      readonly error?: StepError;
    }
  | {
      readonly type: 'drill-end';
      readonly at: string;
      readonly verdict: Verdict;
      readonly durationMs: number;
      readonly reportDir?: string;
      readonly exitCode: number;
      readonly summary: string;
      /** Setup mode: the service left running for the operator. */
      readonly leftRunning?: LeftRunning;
      /** What teardown found: false when something could not be stopped or removed. */
      readonly cleanedUp: boolean;
    };

export type Emit = (event: DrillEvent) => void;

/** A face of the drill (the wizard, plain lines, NDJSON): a consumer of events and answers to questions. */
export interface FrontEnd {
  readonly emit: Emit;
  readonly ask: AskPort;
  /** Resolves once the face has shown the end (the wizard waits for a key); `finished` is false when the drill threw. */
  readonly done: (finished: boolean) => Promise<void>;
}
