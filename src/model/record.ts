/**
 * The record of a drill and the facts it is made of: step ids, statuses, checks, LFS files,
 * assertions, drift, recovery times. Plain data, the vocabulary every floor speaks; it imports nothing.
 */

/** Step ids are part of the contract (reports, NDJSON, junit). Their order is the steps' list in core/steps. */
export type StepId = 'environment' | 'snapshot' | 'fetch' | 'verify' | 'install' | 'start' | 'assert' | 'teardown';
export type StepStatus = 'passed' | 'failed' | 'warned' | 'skipped';
export type Verdict = 'passed' | 'failed' | 'inconclusive' | 'aborted';
export type Mode = 'drill' | 'setup' | 'check';

/** The version of report.json. */
export const REPORT_SCHEMA_VERSION = 8;

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

/** The cold archive a drill restored (`drill --archive`), as its checks found it. */
export interface ArchiveFacts {
  /** The file or URL (credentials redacted). */
  readonly location: string;
  /** The sha256 of the archive as read; null until it has been read. */
  readonly sha256: string | null;
  /** What its .sha256 says; null: it has none. */
  readonly expectedSha256: string | null;
  /** Whether it carries whisper-drill-manifest.json (without one, no file can be verified). */
  readonly manifest: boolean;
  /** The hot tier's tag the manifest says the archive copies. */
  readonly claimsTag: string | null;
  /**
   * Its files against that tag's LFS objects: same (every LFS file of the tag is in the archive with the
   * tag's sha256), differs, or unchecked (and why) — no hot tier, or it could not be asked.
   */
  readonly hotTier: { readonly status: 'same' | 'differs' | 'unchecked'; readonly detail: string } | null;
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

/**
 * An assertion's status, set by the core and rendered as is by every face: a failed optional assertion
 * is `warned`, one that could not be carried out `inconclusive`.
 */
export type AssertionStatus = 'passed' | 'failed' | 'warned' | 'inconclusive';

export interface AssertionOutcome {
  readonly status: AssertionStatus;
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

/** An assertion as its check returns it, before the core gives it its status. */
export type AssertionResult = Omit<AssertionOutcome, 'status'>;

/** The status an assertion's result has in every face and output. */
export function assertionStatus(result: Pick<AssertionResult, 'passed' | 'inconclusive' | 'required'>): AssertionStatus {
  if (result.inconclusive) return 'inconclusive';
  if (result.passed) return 'passed';
  return result.required ? 'failed' : 'warned';
}

export interface LfsFileRecord {
  readonly path: string;
  /** Size and sha256 (`oid`) from the pointer; the actual ones where they differ. */
  readonly size: number;
  readonly oid: string;
  readonly verified: boolean;
  readonly actualSha256?: string;
  readonly actualSize?: number;
  /** Why it failed, naming the file and both hashes where there are two. */
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
  /** From the start of `fetch` to the first correct transcript: the recovery an empty node waits for. */
  readonly recoveryMs?: number;
  /** The plan's recovery-time goal (rto.goal), for `recoveryMs`. */
  readonly goalMs?: number;
  /** Wall time of the whole drill, less `operatorMs`. */
  readonly totalMs?: number;
  /** Time spent waiting for the operator's answers (the tag picker, the environment review). */
  readonly operatorMs?: number;
  /** A resumed drill: this run's own wall time (totalMs adds the killed runs' spans, record.resumed lists each). */
  readonly thisRunMs?: number;
  /**
   * The steps that decided when the first correct transcript came, from fetch on: fetch → install →
   * start → assert when install (begun at fetch's checkout) ended after verify.
   */
  readonly criticalPath?: readonly StepId[];
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
  /** A resumed drill: the step went on from what the killed run left (resumed), or ran again in full (redone). */
  readonly resume?: StepResume;
}

export type StepResume = 'resumed' | 'redone';

/** A run of a drill that was killed and then resumed: its span counts in the recovery time, the time after it does not. */
export interface EarlierRun {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
  /** Its last sign of life (the drill writes one every few seconds). */
  readonly endedAt: string;
  readonly ms: number;
  /** The part of it from the start of its fetch on (what rto.recoveryMs adds). */
  readonly recoveryMs?: number;
  /** Its steps as it left them ('running': the one it was killed in). */
  readonly steps: ReadonlyArray<{ readonly id: string; readonly status: string; readonly durationMs?: number }>;
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
  readonly rto: readonly { readonly phase: string; readonly fromMs: number; readonly toMs: number; readonly medianMs?: number }[];
  /**
   * The node's environment against the last drill's. Reserved for the environment drift check
   * (environment.lock.yaml): null until it records what it compares.
   */
  readonly environmentDrift: null;
}

/** What of the node could not stand in for the backup while install, start and assert ran. */
export interface IsolationRecord {
  /** As the plan asked: the drill's own HOME and caches (scratch) or the node's (host). */
  readonly home: 'scratch' | 'host';
  /** The network the service ran in: the host's (a namespace of its own is not implemented yet). */
  readonly network: 'namespace' | 'host';
  /** What was isolated: home, caches, hubs-offline. */
  readonly achieved: readonly string[];
  /** One line each: how, and what was not isolated. */
  readonly how: readonly string[];
}

/** One outgoing connection attempt of the service's processes, as the tracer saw the call. */
export interface ConnectionAttempt {
  readonly pid: number;
  readonly command: string;
  /** connect, or sendto/sendmsg/sendmmsg to an address (UDP: DNS, say). */
  readonly call: string;
  readonly address: string;
  readonly port: number;
  readonly during: 'start' | 'assert';
}

/** The service's outgoing connection attempts while start and assert ran, but to its own ports and the plan's allowConnections. */
export interface ConnectionsRecord {
  /** Whether every attempt was seen (the tracer ran); when not, why. */
  readonly watched: boolean;
  readonly why?: string;
  readonly attempts: readonly ConnectionAttempt[];
}

/** Something from outside the backup the restore used or could have used (a package index, a wheel folder). */
export interface OutsideInput {
  readonly kind: 'pip-index' | 'pip-find-links';
  readonly what: string;
  /** The file or variable that names it. */
  readonly from: string;
}

/** Which process opened the restored model files, and whether any other copy was opened instead. */
export interface ProvenanceRecord {
  /** fanotify: every open seen (root); proc-sampling: the service's descriptors and mappings, every 25 ms. */
  readonly method: 'fanotify' | 'proc-sampling';
  readonly files: ReadonlyArray<{
    /** As in the backup. */
    readonly path: string;
    readonly sha256: string;
    readonly size: number;
    /** The service's processes that opened (or held open, or mapped) it. */
    readonly openedBy: ReadonlyArray<{ readonly pid: number; readonly command: string }>;
    readonly mapped: boolean;
  }>;
  /** Files with a model's name or size that the service opened outside the workspace. */
  readonly elsewhere: ReadonlyArray<{ readonly path: string; readonly pid: number; readonly command: string }>;
  /** What the method could not see. */
  readonly notes: readonly string[];
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
    /** A drill of the cold tier (--archive): the archive, and what it was checked against. */
    readonly archive?: ArchiveFacts;
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
  /** logTail: the service log's last lines, kept when the drill did not pass (the page shows them). */
  readonly service: { readonly log: string | null; readonly leftRunning: LeftRunning | null; readonly logTail?: readonly string[] };
  /** This node against the chosen tag's environment.lock.yaml; null when nothing was compared. */
  readonly drift: DriftReport | null;
  readonly signOff: SignOff;
  /** Since the last drill of this plan on this host; null for the first one (and for `check`). */
  readonly changes: ChangesSinceLastDrill | null;
  /** How install, start and assert were kept from the node's caches and hubs; null when none of them ran (check). */
  readonly isolation: IsolationRecord | null;
  /** Which processes opened the restored model files; null when the service was not watched. */
  readonly provenance: ProvenanceRecord | null;
  /** What outside the backup the restore could take from (the node's package indexes, without a wheelhouse). */
  readonly outsideInputs: readonly OutsideInput[];
  /** The service's outgoing connection attempts; null when no service ran. */
  readonly connections: ConnectionsRecord | null;
  /** A drill resumed after it was killed (--resume): the runs before this one, each with its span. */
  readonly resumed?: { readonly earlier: readonly EarlierRun[]; readonly said: string };
  /** What the drill found and did before its first step (a workspace taken over, what killed drills had left running). */
  readonly notices?: readonly string[];
}

