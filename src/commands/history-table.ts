/**
 * The history as text: for each plan on each host, the policy line (overdue loudly), the RTO trend,
 * and one row per drill with the recovery time of each phase; a phase > 25% slower than its
 * baseline is marked ▲ and explained under its row.
 */
import { formatDuration } from '../model/format.js';
import { describePolicy } from '../history/policy-text.js';

import { PHASES, sparkline, type HostHistory, type Phase } from '../history/trend.js';

const PHASE_LABELS: Record<Phase, string> = {
  fetchMs: 'fetch',
  verifyMs: 'verify',
  installMs: 'install',
  startMs: 'start',
  firstTranscriptMs: 'transcript',
  recoveryMs: 'recovery',
  totalMs: 'total',
};

function columns(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

export function renderHostHistory(history: HostHistory): string[] {
  const lines = [`${history.plan} on ${history.host}`];
  if (history.policy) lines.push(`  ${describePolicy(history.policy)}`);
  lines.push(`  total RTO, oldest → newest: ${sparkline(history.drills.map((drill) => drill.rto.totalMs))}`);
  // What decided the recovery between fetch and start: install (beside the download) or verify.
  const header = ['started (UTC)', 'host', 'tag', 'verdict', ...PHASES.map((phase) => PHASE_LABELS[phase]), 'decided by'];
  const rows = history.drills.map((drill) => {
    const slow = new Set(drill.regressions.map((r) => r.phase));
    const time = (phase: Phase) => {
      const ms = drill.rto[phase];
      const overGoal = phase === 'recoveryMs' && ms !== undefined && drill.rto.goalMs !== undefined && ms > drill.rto.goalMs;
      return ms === undefined ? '—' : `${formatDuration(ms)}${slow.has(phase) ? ' ▲' : ''}${overGoal ? ' ✗goal' : ''}`;
    };
    const path = drill.rto.criticalPath;
    return [drill.startedAt.slice(0, 19), drill.host ?? '—', drill.tag ?? '—', drill.verdict, ...PHASES.map(time), path ? path.slice(1, -2).join('→') || '—' : '—'];
  });
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  lines.push(columns(header, widths));
  history.drills.forEach((drill, index) => {
    lines.push(columns(rows[index]!, widths));
    for (const r of drill.regressions) {
      const percent = Math.round((r.ms / r.baselineMs - 1) * 100);
      lines.push(`  ▲ ${PHASE_LABELS[r.phase]} ${formatDuration(r.ms)} is ${percent}% slower than the median of the drills before it (${formatDuration(r.baselineMs)})`);
    }
  });
  return lines;
}

export function renderHistory(histories: readonly HostHistory[]): string {
  return `${histories.map((history) => renderHostHistory(history).join('\n')).join('\n\n')}\n`;
}
