/** The ports a drill talks to its face through: the questions it may ask, and the face itself. */
import type { Emit } from './events.js';
import type { CheckResult, SignOff, SnapshotTag } from './record.js';

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
  /**
   * setup, once its service passed: link each backup model into the node's own HOME, where its
   * service loads it? (the wizard asks; `--yes` says yes; headless without it, setup says the command).
   */
  linkModels?(links: readonly ModelLink[]): Promise<boolean>;
}

/** A model of the plan's backup.models, and where the node's own service loads it. */
export interface ModelLink {
  /** As the plan writes it (~/.cache/whisper/large-v3.pt). */
  readonly from: string;
  /** The path in the node's HOME. */
  readonly where: string;
  /** Its path in the backup (models/large-v3.pt). */
  readonly to: string;
  /** The restored model it would point at. */
  readonly target: string;
  /** A file is there already (it is moved aside, never deleted). */
  readonly replaces: boolean;
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


/** A face of the drill (the wizard, plain lines, NDJSON): a consumer of events and answers to questions. */
export interface FrontEnd {
  readonly emit: Emit;
  readonly ask: AskPort;
  /** Resolves once the face has shown the end (the wizard waits for a key); `finished` is false when the drill threw. */
  readonly done: (finished: boolean) => Promise<void>;
}
