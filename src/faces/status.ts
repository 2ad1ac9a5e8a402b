/** One table of statuses: the symbol, the plain-text tag and the colour every face and output uses. */

export type Status = 'passed' | 'warned' | 'failed' | 'skipped' | 'inconclusive' | 'pending' | 'running' | 'aborted' | 'info';

export interface StatusLook {
  /** For terminals and markdown. */
  readonly symbol: string;
  /** Four characters for plain logs (no symbols, greppable). */
  readonly tag: string;
  /** An Ink/chalk colour name. */
  readonly color: string;
}

export const STATUS: Readonly<Record<Status, StatusLook>> = {
  passed: { symbol: '✔', tag: 'ok  ', color: 'green' },
  warned: { symbol: '⚠', tag: 'warn', color: 'yellow' },
  failed: { symbol: '✖', tag: 'FAIL', color: 'red' },
  skipped: { symbol: '–', tag: 'skip', color: 'gray' },
  inconclusive: { symbol: '?', tag: '????', color: 'magenta' },
  pending: { symbol: '·', tag: '    ', color: 'gray' },
  running: { symbol: '▸', tag: '... ', color: 'cyan' },
  aborted: { symbol: '✖', tag: 'ABRT', color: 'red' },
  info: { symbol: 'ℹ', tag: 'info', color: 'blue' },
};

export function statusLook(status: string): StatusLook {
  return STATUS[status as Status] ?? { symbol: ' ', tag: '    ', color: 'white' };
}

/** The verdict as a headline: a drill PASSED or FAILED; `check` speaks of a node's health. */
export function verdictHeadline(verdict: string, mode: string): string {
  if (mode !== 'check') return verdict.toUpperCase();
  return ({ passed: 'HEALTHY', failed: 'UNHEALTHY', inconclusive: 'INCONCLUSIVE' } as Record<string, string>)[verdict] ?? verdict.toUpperCase();
}

/** A drift difference's severity in the same vocabulary: fail → failed, warn → warned, info → info. */
export function driftStatus(severity: 'fail' | 'warn' | 'info'): Status {
  return severity === 'fail' ? 'failed' : severity === 'warn' ? 'warned' : 'info';
}
