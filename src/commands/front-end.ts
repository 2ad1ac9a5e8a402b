/** What a face of the drill provides: a consumer of events and answers to questions. */
import type { AskPort } from '../core/context.js';
import type { DrillEvent } from '../core/events.js';

export interface FrontEnd {
  readonly emit: (event: DrillEvent) => void;
  readonly ask: AskPort;
  /** Resolves once the face has shown the end (the wizard waits for a key); `finished` is false when the drill threw. */
  readonly done: (finished: boolean) => Promise<void>;
}
