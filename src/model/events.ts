/** The events of one run: what the engine emits and every face (wizard, plain, NDJSON) consumes. */
import type {
  ArchiveFacts,
  AssertionOutcome,
  ChangesSinceLastDrill,
  ConnectionsRecord,
  CheckResult,
  DriftReport,
  EarlierRun,
  DrillRecord,
  IsolationRecord,
  OutsideInput,
  ProvenanceRecord,
  LeftRunning,
  LfsFileRecord,
  Mode,
  StepResume,
  RecoveryTimes,
  SignOff,
  SnapshotTag,
  StepError,
  StepId,
  StepStatus,
  Verdict,
} from './record.js';

/** The version of the NDJSON event stream (`schemaVersion` on every event); see drills/events.schema.json. */
export const EVENTS_SCHEMA_VERSION = 5;

export interface ProgressInfo {
  readonly current: number;
  readonly total?: number;
  readonly unit: 'bytes' | 'files' | 'commands' | 'assertions';
  readonly label?: string;
  /** Time since the step started, so a face can show the rate and the time left. */
  readonly elapsedMs?: number;
}

export interface StepHeading {
  readonly id: StepId;
  readonly title: string;
  /** The step's time limit, when the plan sets one (install, start). */
  readonly limitMs?: number;
}

/**
 * The events of one run. On the NDJSON stream each also carries `schemaVersion` (EVENTS_SCHEMA_VERSION).
 * They are the drill's only account of itself: the record (report.json) is their fold (core/record.ts),
 * so what a face shows and what the report says cannot differ.
 */
export type DrillEvent =
  | {
      readonly type: 'drill-start';
      readonly at: string;
      readonly plan: string;
      readonly planFile: string;
      readonly planSha256: string;
      /** The plan's drill policy, kept so history and metrics know it without the plan file. */
      readonly policy?: { readonly every: string };
      readonly mode: Mode;
      /** The restore target ('' for `check`, which restores nothing). */
      readonly workdir: string;
      readonly tool: DrillRecord['tool'];
      readonly host: DrillRecord['host'];
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
  /** The backup being drilled: its remote (credentials redacted) as soon as it is known, then the chosen tag. */
  | { readonly type: 'snapshot'; readonly repo: string; readonly tag?: SnapshotTag; readonly archive?: ArchiveFacts }
  /** Measured values for the record (environment: every probe; install: torch, pip; teardown: the systemd unit). */
  | { readonly type: 'facts'; readonly step: StepId; readonly facts: Readonly<Record<string, unknown>> }
  /** The audited configuration files as restored (null: absent), for the next drill's comparison. */
  | { readonly type: 'config-files'; readonly files: Readonly<Record<string, string | null>> }
  /** Where the service's own output goes. */
  /** Where the service's output goes; after a drill that did not pass, its last lines too (for the report). */
  | { readonly type: 'service-log'; readonly path: string; readonly tail?: readonly string[] }
  /** Setup mode: the service left running for the operator. */
  | { readonly type: 'left-running'; readonly service: LeftRunning }
  /** How install, start and assert are kept from the node's caches and hubs (before install). */
  | { readonly type: 'isolation'; readonly isolation: IsolationRecord }
  /** Which processes opened the restored model files while start and assert ran (assert, or start when it failed). */
  | { readonly type: 'provenance'; readonly provenance: ProvenanceRecord }
  /** The service's outgoing connection attempts (assert, or teardown when assert did not run). */
  | { readonly type: 'connections'; readonly connections: ConnectionsRecord }
  /** `--resume`: the runs of this drill that were killed before it, each with its span (sent after drill-start). */
  | { readonly type: 'resumed'; readonly earlier: readonly EarlierRun[]; readonly said: string }
  /**
   * What the drill found and did before its first step (sent after drill-start): a workspace taken over from a
   * killed drill, what killed drills had left running and was ended, a killed drill's workspace left to resume.
   */
  | { readonly type: 'notice'; readonly line: string }
  /** A source outside the backup the restore could take from (install: the node's pip index or wheel folder). */
  | { readonly type: 'outside-input'; readonly input: OutsideInput }
  /** Recovery-time figures as they are measured (a step's duration, the first correct transcript, the total). */
  | { readonly type: 'rto'; readonly rto: RecoveryTimes }
  | {
      readonly type: 'step-end';
      readonly at: string;
      readonly step: StepId;
      readonly status: StepStatus;
      readonly durationMs: number;
      readonly summary: string;
      readonly error?: StepError;
      /** What the step measured or did, for the auditor (counts, commands, the operator's think time); none: {}. */
      readonly evidence?: Readonly<Record<string, unknown>>;
      /** A resumed drill: the step went on from what the killed run left, or ran again in full. */
      readonly resume?: StepResume;
    }
  /** Who ran the drill and what they noted. */
  | { readonly type: 'sign-off'; readonly signOff: SignOff }
  /** What changed since the last drill of this plan on this host (not sent for the first one, nor for `check`). */
  | { readonly type: 'changes'; readonly changes: ChangesSinceLastDrill }
  /** The verdict, before the report is written: the last fact of the record. */
  | {
      readonly type: 'verdict';
      readonly at: string;
      readonly verdict: Verdict;
      readonly reasons: readonly string[];
      readonly exitCode: number;
      readonly reportDir: string;
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
