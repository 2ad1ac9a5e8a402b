/** The one stream of typed events the drill emits; the wizard, plain and NDJSON reporters all consume it. */

export const STEP_IDS = ['environment', 'snapshot', 'fetch', 'verify', 'install', 'start', 'assert', 'teardown'] as const;
export type StepId = (typeof STEP_IDS)[number];

export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  environment: 'Check the environment',
  snapshot: 'Choose the snapshot',
  fetch: 'Fetch the snapshot and its LFS objects',
  verify: 'Verify every LFS file',
  install: 'Install dependencies',
  start: 'Start the service',
  assert: 'Assert transcriptions',
  teardown: 'Tear down',
};

export type StepStatus = 'passed' | 'failed' | 'warned' | 'skipped';
export type Verdict = 'passed' | 'failed' | 'inconclusive' | 'aborted';
export type Mode = 'drill' | 'setup' | 'check';

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
}

export type DrillEvent =
  | { readonly type: 'drill-start'; readonly at: string; readonly plan: string; readonly planFile: string; readonly mode: Mode; readonly workdir: string }
  | {
      readonly type: 'step-start';
      readonly at: string;
      readonly step: StepId;
      readonly title: string;
      /** The step's time limit, when it has one (install, start). */
      readonly limitMs?: number;
    }
  | { readonly type: 'progress'; readonly step: StepId; readonly progress: ProgressInfo }
  | { readonly type: 'log'; readonly step: StepId; readonly stream: 'stdout' | 'stderr' | 'info'; readonly line: string }
  | { readonly type: 'check'; readonly step: StepId; readonly check: CheckResult }
  | { readonly type: 'tags'; readonly tags: readonly SnapshotTag[] }
  | { readonly type: 'assertion'; readonly outcome: AssertionOutcome }
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
      readonly leftRunning?: { readonly pid: number; readonly url: string };
    };

export type Emit = (event: DrillEvent) => void;
