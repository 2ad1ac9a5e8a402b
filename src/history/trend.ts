/**
 * What the history says, computed once for every face (the history table, its JSON, the metrics,
 * the environment step's policy check): drills grouped by plan and host, the age of the last
 * passing drill against the plan's policy, and phases that got slower.
 */
import type { RecoveryTimes } from '../model/record.js';
import { policyAgeMs } from '../plan/rules.js';
import type { PastDrill } from './read.js';

/** The phases of the recovery time, in the order they happen. */
export const PHASES = ['fetchMs', 'verifyMs', 'installMs', 'startMs', 'firstTranscriptMs', 'recoveryMs', 'totalMs'] as const satisfies readonly (keyof RecoveryTimes)[];
export type Phase = (typeof PHASES)[number];

/** A phase is a regression when it took more than this times the median of the drills before it. */
export const REGRESSION_RATIO = 1.25;
/** …and at least this much slower: a few milliseconds of jitter on a fast phase is not a regression. */
export const REGRESSION_MIN_MS = 1000;
/** The baseline: the median of the previous (up to) four passing drills of the plan on the host… */
const BASELINE_DRILLS = 4;
/** …once there are at least two: a quarterly plan would otherwise go a year unguarded. */
const MIN_BASELINE = 2;

export interface Regression {
  readonly phase: Phase;
  readonly ms: number;
  readonly baselineMs: number;
}

export interface DrillWithTrend extends PastDrill {
  readonly regressions: readonly Regression[];
  /** Per phase, the median of the passing drills before this one (when there were enough). */
  readonly baselineMs: Partial<Record<Phase, number>>;
}

export interface PolicyStatus {
  readonly every: string;
  /** The last passing drill or setup, when there is one. */
  readonly lastPassedAt: string | null;
  readonly ageMs: number | null;
  readonly overdue: boolean;
}

export interface HostHistory {
  readonly plan: string;
  readonly host: string;
  /** Oldest first. */
  readonly drills: readonly DrillWithTrend[];
  readonly lastPassedAt: string | null;
  readonly policy: PolicyStatus | null;
  /** Per phase, the baseline the next drill will be measured against (the median of the last passing ones). */
  readonly baselineMs: Partial<Record<Phase, number>>;
}

/** Restores count: a `check` restores nothing and has no recovery time. */
const isRestore = (drill: PastDrill) => drill.mode === 'drill' || drill.mode === 'setup';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function baselineOf(earlier: readonly PastDrill[], phase: Phase): number | undefined {
  const values = earlier
    .filter((drill) => drill.verdict === 'passed' && drill.rto[phase] !== undefined)
    .slice(-BASELINE_DRILLS)
    .map((drill) => drill.rto[phase]!);
  return values.length >= MIN_BASELINE ? median(values) : undefined;
}

/** Per phase, the median of the last passing drills among `earlier` (when there are enough). */
export function baselinesOf(earlier: readonly PastDrill[]): Partial<Record<Phase, number>> {
  const baselines: Partial<Record<Phase, number>> = {};
  for (const phase of PHASES) {
    const value = baselineOf(earlier, phase);
    if (value !== undefined) baselines[phase] = value;
  }
  return baselines;
}

function withRegressions(drills: readonly PastDrill[]): DrillWithTrend[] {
  return drills.map((drill, index) => {
    const baselineMs = baselinesOf(drills.slice(0, index));
    const regressions: Regression[] = [];
    for (const phase of PHASES) {
      const ms = drill.rto[phase];
      const baseline = baselineMs[phase];
      const slower = ms !== undefined && baseline !== undefined && ms > baseline * REGRESSION_RATIO && ms - baseline >= REGRESSION_MIN_MS;
      if (slower) regressions.push({ phase, ms, baselineMs: baseline });
    }
    return { ...drill, regressions, baselineMs };
  });
}

export function policyStatus(every: string, lastPassedAt: string | null, now: Date): PolicyStatus {
  const ageMs = lastPassedAt ? now.getTime() - Date.parse(lastPassedAt) : null;
  return { every, lastPassedAt, ageMs, overdue: ageMs === null || ageMs > policyAgeMs(every) };
}

/**
 * Restores of each plan on each host, oldest first. The policy is the one given (the plan file's),
 * else the newest report's.
 */
export function historyByHost(drills: readonly PastDrill[], now: Date, policyEvery?: string): HostHistory[] {
  const groups = new Map<string, PastDrill[]>();
  for (const drill of drills.filter(isRestore)) {
    const key = `${drill.plan}\u0000${drill.host ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), drill]);
  }
  const byPlanAndHost = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group);
  return byPlanAndHost.map((group) => {
    const lastPassed = group.filter((drill) => drill.verdict === 'passed').at(-1);
    const every = policyEvery ?? [...group].reverse().find((drill) => drill.policyEvery)?.policyEvery;
    const lastPassedAt = lastPassed?.startedAt ?? null;
    const baselineMs = baselinesOf(group);
    return {
      plan: group[0]!.plan,
      host: group[0]!.host ?? 'unknown host',
      drills: withRegressions(group),
      lastPassedAt,
      policy: every ? policyStatus(every, lastPassedAt, now) : null,
      baselineMs,
    };
  });
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per drill, the height of its total recovery time among them ("·" where there is none). */
export function sparkline(values: readonly (number | undefined)[]): string {
  const known = values.filter((value): value is number => value !== undefined);
  const low = Math.min(...known);
  const high = Math.max(...known);
  return values
    .map((value) => (value === undefined ? '·' : BARS[high === low ? 3 : Math.round(((value - low) / (high - low)) * (BARS.length - 1))]))
    .join('');
}
