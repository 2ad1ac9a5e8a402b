/** What the steps of one drill share: the plan, the options, and what each step found. */
import type { ServiceProcess } from '../adapters/process-group.js';
import type { TagListing } from '../snapshot/tags.js';
import type { AssertionOutcome, CheckResult, DrillEvent, Mode, ProgressInfo, SnapshotTag, StepId } from './events.js';
import type { Plan } from './plan/types.js';

/** Questions the drill may need answered: the wizard answers with a screen, headless mode from flags. */
export interface AskPort {
  chooseTag(tags: readonly SnapshotTag[], suggested: string): Promise<string>;
  /**
   * Some requirement is not met: continue (the step fails), check again, install the missing
   * packages, or quit. Headless faces leave this out: the step fails with the fixes.
   */
  reviewEnvironment?(review: EnvironmentReview): Promise<EnvironmentDecision>;
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

export interface DrillOptions {
  readonly plan: Plan;
  readonly mode: Mode;
  /** The tag to restore; without it the ask port chooses. */
  readonly tag?: string;
  /** Restore target. Drill mode: a scratch directory by default. Setup mode: required. */
  readonly workdir?: string;
  /** Keep the workspace (and in setup mode the service) after the drill. */
  readonly keep: boolean;
  readonly reportRoot: string;
  readonly cacheRoot: string;
  readonly signal: AbortSignal;
  readonly ask: AskPort;
  /** Environment for the steps' tools (tests point PATH at recorded stand-ins). */
  readonly env?: Readonly<Record<string, string>>;
  /** --dry-run: stop after this step (list tags, check the environment, restore nothing). */
  readonly stopAfter?: StepId;
  /** Resolves `builtin:sample-backup` to the built sample repository. */
  readonly resolveBuiltinRepo?: (name: string, signal: AbortSignal) => Promise<{ url: string; allowedSigners?: string; note?: string }>;
}

export interface LfsFileRecord {
  readonly path: string;
  readonly size: number;
  readonly oid: string;
  verified: boolean;
  actualSha256?: string;
  actualSize?: number;
  problem?: string;
}

export interface RecoveryTimes {
  fetchMs?: number;
  verifyMs?: number;
  installMs?: number;
  startMs?: number;
  firstTranscriptMs?: number;
  /** Wall time of the whole drill, less `operatorMs`. */
  totalMs?: number;
  /** Time spent waiting for the operator's answers (the tag picker). */
  operatorMs?: number;
}

export interface DrillContext {
  readonly options: DrillOptions;
  readonly plan: Plan;
  readonly signal: AbortSignal;
  readonly startedAt: Date;
  /** Emit an event (timestamps are added by the caller of step functions). */
  readonly emit: (event: DrillEvent) => void;
  readonly log: (step: StepId, line: string, stream?: 'stdout' | 'stderr' | 'info') => void;
  readonly progress: (step: StepId, progress: ProgressInfo) => void;

  workdir: string;
  /** The drill created the workdir (and so may remove it). */
  workdirCreated: boolean;
  repoUrl?: string;
  allowedSigners?: string;
  tags: TagListing[];
  chosen?: TagListing;
  reportDir?: string;
  checks: CheckResult[];
  environmentFacts: Record<string, unknown>;
  lfsFiles: LfsFileRecord[];
  /** LFS objects git-lfs refused because their bytes did not hash to the pointer's oid: oid → actual sha256. */
  rejectedObjects: Map<string, string>;
  service?: ServiceProcess;
  serviceLog?: string;
  assertions: AssertionOutcome[];
  rto: RecoveryTimes;
  /** Required checks that could not be carried out: they make the verdict inconclusive. */
  inconclusive: string[];
  /** The service is left running on purpose (setup mode). */
  leftRunning?: { pid: number; url: string };
}

/** A step failed: the message names the file, command, port or hash; the hint says what to do. */
export class StepFailed extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StepFailed';
  }
}

/** What a step function returns when it did not fail. */
export interface StepOutcome {
  readonly status: 'passed' | 'warned' | 'skipped';
  readonly summary: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
  /** Time spent waiting for the operator: not part of the step's measured duration. */
  readonly operatorMs?: number;
}
