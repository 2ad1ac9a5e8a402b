/** Shared shapes of the environment probes: each returns facts or says why it has none, never throws. */

export interface ProbeFailure {
  readonly ok: false;
  /** `missing`: the tool (or library) is not installed; `failed`: it is there but did not answer. */
  readonly reason: 'missing' | 'failed';
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
