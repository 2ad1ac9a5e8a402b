/**
 * How often and how patiently the transfer retries, set where git-lfs users already set it:
 * `lfs.transfer.maxretries` (retries of one request before it fails) and `lfs.transfer.maxretrydelay`
 * (seconds; the wait doubles from a quarter second up to it; 0 retries at once) in any config git
 * reads, `GIT_CONFIG_*` included. Unset, a request is retried 5 times within about 8 s, so a drill
 * against a host that keeps failing ends in seconds; git-lfs's own defaults (8 retries, up to 10 s
 * apart) are longer. A server's Retry-After is honoured whatever the delay limit says, as git-lfs does.
 * `lfs.activitytimeout` (seconds without a byte before a download is given up and resumed) too.
 */
import { run, type ProcessRunner } from '../../adapters/run.js';
import { DrillError } from '../../model/errors.js';

export interface RetryPolicy {
  readonly retries: number;
  /** The wait before retry `attempt` (0-based). */
  delayMs(attempt: number): number;
  /** Silence within an answer after which it is given up (lfs.activitytimeout); the client's default when absent. */
  readonly idleMs?: number;
}

/** The wait before retry `attempt` after an answer: the server's Retry-After (seconds, up to 30) when it sends one, as git-lfs honours it. */
export function waitAfter(retry: RetryPolicy, attempt: number, retryAfter: string | string[] | undefined): number {
  const after = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return Number.isFinite(after) && after > 0 ? Math.min(after, 30) * 1000 : retry.delayMs(attempt);
}

const FIRST_DELAY_MS = 250;

export function retryPolicy(retries = 5, maxDelaySec = 4): RetryPolicy {
  return { retries, delayMs: (attempt) => Math.min(FIRST_DELAY_MS * 2 ** attempt, maxDelaySec * 1000) };
}

export const DEFAULT_RETRY = retryPolicy();

function whole(name: string, text: string | undefined, least: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < least) {
    throw new DrillError(`git config ${name} is ${JSON.stringify(text.trim())}: not a whole number of at least ${least}`, { hint: `fix it: git config --global ${name} <number>` });
  }
  return value;
}

export async function gitRetryPolicy(hooks: { readonly runner?: ProcessRunner; readonly env?: Readonly<Record<string, string>>; readonly signal?: AbortSignal } = {}): Promise<RetryPolicy> {
  const result = await run('git', ['config', '--get-regexp', '^lfs\\.(transfer\\.maxretr|activitytimeout)'], { runner: hooks.runner, env: hooks.env, signal: hooks.signal });
  const values = new Map(
    (result.exitCode === 0 ? result.stdout : '')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(' ')).toLowerCase(), line.slice(line.indexOf(' ') + 1)] as const),
  );
  const retries = whole('lfs.transfer.maxretries', values.get('lfs.transfer.maxretries'), 1);
  const maxDelay = whole('lfs.transfer.maxretrydelay', values.get('lfs.transfer.maxretrydelay'), 0);
  const activity = whole('lfs.activitytimeout', values.get('lfs.activitytimeout'), 1);
  const policy = retryPolicy(retries ?? DEFAULT_RETRY.retries, maxDelay ?? 4);
  return activity === undefined ? policy : { ...policy, idleMs: activity * 1000 };
}
