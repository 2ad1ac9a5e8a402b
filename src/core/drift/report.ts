/** The drift report of a run: built from a tag's lock, merged across the steps that compare, told in one line per difference. */
import type { DriftItem, DriftReport } from '../model.js';
import type { DriftPlan } from '../plan/schema-drift.js';
import { compareWithLock, type DriftKey } from './compare.js';
import { LOCK_FILE, parseLock, type EnvironmentLock, type MeasuredEnvironment } from './lock.js';

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

/** "PyTorch 2.3.1+cu121 → 2.4.0 (minor)" */
export function describeDriftItem(item: DriftItem): string {
  return `${item.title}: ${item.recorded ?? 'none'} → ${item.current ?? 'none'} (${item.change})`;
}

/** One line for the whole comparison. */
export function describeDrift(report: DriftReport): string {
  if (!report.lockFound) return `${report.tag} has no ${LOCK_FILE}: nothing to compare`;
  if (report.problem) return `${report.tag}'s lock could not be read: ${report.problem}`;
  const count = (severity: string) => report.items.filter((i) => i.severity === severity).length;
  const where = `${report.tag}'s environment (recorded ${report.recordedAt?.slice(0, 10) ?? '?'}${report.recordedOn ? ` on ${report.recordedOn}` : ''})`;
  if (report.items.length === 0) return `no drift from ${where} in ${report.compared.join(', ') || 'nothing compared'}`;
  return `${report.items.length} difference(s) from ${where}: ${count('fail')} fail, ${count('warn')} warn, ${count('info')} info`;
}

/** A few words for a step's summary line (the differences themselves are listed below it). */
export function driftInBrief(report: DriftReport): string {
  if (!report.lockFound) return `no ${LOCK_FILE} in ${report.tag}`;
  if (report.problem) return `${LOCK_FILE} unreadable`;
  const counts = (['fail', 'warn', 'info'] as const).map((s) => [s, report.items.filter((i) => i.severity === s).length] as const).filter(([, n]) => n > 0);
  return counts.length ? `drift ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}` : 'no drift';
}
