/** The drift report of a run: built from a tag's lock, merged across the steps that compare. */
import type { DriftReport } from '../../model/record.js';
import type { DriftPlan } from '../../plan/schema-drift.js';
import { compareWithLock, type DriftKey } from './compare.js';
import { parseLock, type EnvironmentLock, type MeasuredEnvironment } from '../../model/environment-lock.js';

/** This node (what it measured) against a tag's lock, limited to `only` when a step measures just part of it. */
export function driftAgainst(tag: string, lock: EnvironmentLock, here: MeasuredEnvironment, plan: DriftPlan, only?: readonly DriftKey[]): DriftReport {
  return { tag, lockFound: true, recordedAt: lock.recordedAt, ...(lock.host ? { recordedOn: lock.host } : {}), ...compareWithLock(lock, here, plan, only) };
}

/** A tag's lock as read from the backup (undefined: the tag has none), compared with what this node measured. */
export function driftFromLock(tag: string, lockText: string | undefined, here: MeasuredEnvironment, plan: DriftPlan): { report: DriftReport; lock?: EnvironmentLock } {
  const empty = { tag, items: [], compared: [], notCompared: [] };
  if (lockText === undefined) return { report: { ...empty, lockFound: false } };
  const parsed = parseLock(lockText);
  if ('problem' in parsed) return { report: { ...empty, lockFound: true, problem: parsed.problem } };
  return { report: driftAgainst(tag, parsed.lock, here, plan), lock: parsed.lock };
}

/** A later step's comparison (install: torch and packages) joined to the earlier one (snapshot: the host). */
export function mergeDrift(earlier: DriftReport | undefined, later: DriftReport): DriftReport {
  if (!earlier) return later;
  const keys = new Set(later.items.map((i) => i.key));
  const compared = [...new Set([...earlier.compared, ...later.compared])];
  return {
    ...earlier,
    items: [...earlier.items.filter((i) => !keys.has(i.key)), ...later.items],
    compared,
    notCompared: [...new Set([...earlier.notCompared, ...later.notCompared])].filter((title) => !compared.includes(title)),
  };
}
