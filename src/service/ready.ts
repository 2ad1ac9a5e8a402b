/** Wait until the service answers HTTP, the process dies, the deadline passes or the drill is aborted. */
import { fetch } from '../adapters/http-fetch.js';
import { sleep } from '../model/sleep.js';
import { authHeaders, refusalMessage } from '../transcribe/types.js';

export type ReadyOutcome =
  | { readonly ready: true; readonly status: number; readonly waitedMs: number }
  | {
      readonly ready: false;
      readonly reason: 'exited' | 'timeout' | 'refused' | 'elsewhere';
      readonly lastError: string;
      /** The status of the last answer, when the last probe got one. */
      readonly status?: number;
      readonly waitedMs: number;
    };

export interface ReadyOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly hasExited: () => boolean;
  readonly intervalMs?: number;
  /** Statuses that mean "ready"; by default any 2xx or 3xx (a 404 is an answer, but not a ready service). */
  readonly statuses?: readonly number[];
  /** Sent as `Authorization: Bearer <key>` with each probe. */
  readonly apiKey?: string;
  /**
   * Asked between probes: a reason the service will never answer at the URL (it listens elsewhere),
   * which ends the wait at once instead of at the deadline.
   */
  readonly answersElsewhere?: () => Promise<string | undefined>;
}

/** A health route answers without a key (speaches, whisper.cpp, vLLM): the plan can say otherwise. */
export function probeSendsKey(ready: { readonly path: string; readonly sendApiKey?: boolean }): boolean {
  return ready.sendApiKey ?? !/^\/health\/?$/.test(ready.path);
}

export function isReadyStatus(status: number, statuses?: readonly number[]): boolean {
  return statuses ? statuses.includes(status) : status >= 200 && status < 400;
}

export async function waitUntilReady(options: ReadyOptions): Promise<ReadyOutcome> {
  // Monotonic: a wall clock set back during the wait neither stretches nor cuts the deadline.
  const now = () => Math.round(performance.now());
  const started = now();
  // Cheap on loopback: the drill sees "ready" within 50 ms of the service being ready.
  const interval = options.intervalMs ?? 50;
  let lastError = 'no answer yet';
  let lastStatus: number | undefined;
  // Polling is the protocol here: an HTTP service has no "ready" event to wait for.
  while (now() - started < options.timeoutMs) {
    if (options.signal.aborted) throw options.signal.reason;
    if (options.hasExited()) return { ready: false, reason: 'exited', lastError, waitedMs: now() - started };
    // Each probe gives up after 5 s. A timer of our own, held until the probe settles: Node 20 may collect
    // AbortSignal.any's timeout signal while fetch waits, and the probe then waits for ever.
    const probe = new AbortController();
    const giveUp = setTimeout(() => probe.abort(new Error('no answer within 5 s')), 5_000);
    const stop = () => probe.abort(options.signal.reason);
    options.signal.addEventListener('abort', stop, { once: true });
    try {
      const response = await fetch(options.url, { redirect: 'manual', headers: authHeaders(options.apiKey), signal: probe.signal });
      await response.body?.cancel();
      if (isReadyStatus(response.status, options.statuses)) return { ready: true, status: response.status, waitedMs: now() - started };
      // The service is up and says no: waiting longer will not change its mind.
      if (response.status === 401 || response.status === 403) {
        const lastError = `HTTP ${response.status}: ${refusalMessage(options.apiKey !== undefined)}`;
        return { ready: false, reason: 'refused', lastError, status: response.status, waitedMs: now() - started };
      }
      lastStatus = response.status;
      lastError = `HTTP ${response.status}${options.statuses ? ` (ready means ${options.statuses.join(', ')})` : ' (ready means 2xx or 3xx)'}`;
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      lastStatus = undefined;
      lastError = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    } finally {
      clearTimeout(giveUp);
      options.signal.removeEventListener('abort', stop);
    }
    const elsewhere = await options.answersElsewhere?.();
    if (elsewhere) return { ready: false, reason: 'elsewhere', lastError: elsewhere, waitedMs: now() - started };
    await sleep(interval);
  }
  return { ready: false, reason: 'timeout', lastError, ...(lastStatus !== undefined ? { status: lastStatus } : {}), waitedMs: now() - started };
}
