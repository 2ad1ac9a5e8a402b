/** The events of one run: what the engine emits and every face (wizard, plain, NDJSON) consumes. */
import type { CheckResult, AssertionOutcome, DriftReport, LeftRunning, LfsFileRecord, Mode, SnapshotTag, StepError, StepId, StepStatus, Verdict } from './record.js';

/** The version of the NDJSON event stream (`schemaVersion` on every event); see drills/events.schema.json. */
export const EVENTS_SCHEMA_VERSION = 1;

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
