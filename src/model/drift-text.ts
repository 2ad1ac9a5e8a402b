/** A drift report told in words: one line per difference, one for the whole, a few words for a summary. */
import { LOCK_FILE } from './environment-lock.js';
import type { DriftItem, DriftReport } from './record.js';

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
