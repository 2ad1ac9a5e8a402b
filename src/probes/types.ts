/** Shared shapes of the environment probes: each returns facts or says why it has none, never throws. */

export interface ProbeFailure {
  readonly ok: false;
  /**
   * `missing`: the tool (or library) is not installed; `failed`: it answered, and its answer is that it
   * cannot do the job (a driver not loaded, an error exit); `unanswered`: the question could not be asked or
   * answered (a timeout, a signal, no permission, output that cannot be read). Only the last is inconclusive.
   */
  readonly reason: 'missing' | 'failed' | 'unanswered';
  readonly message: string;
}

export type ProbeResult<T extends object> = ({ readonly ok: true } & T) | ProbeFailure;

import type { ProcessRunner } from '../adapters/run.js';

export interface ProbeOptions {
  /** Who runs the probe's command (the system by default). */
  readonly runner?: ProcessRunner;
  /** Added to the inherited environment (e.g. a PATH with recorded stand-ins first). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}
