/** A resumed drill in words (report.md, report.html, the plain summary): each run with its span, and what it had done. */
import { formatDuration } from './format.js';
import type { DrillRecord, EarlierRun } from './record.js';

/** "environment (passed), fetch (killed in it)": a killed run's steps as it left them. */
export function stepsSaid(steps: EarlierRun['steps']): string {
  return steps.map((s) => `${s.id} (${s.status === 'running' ? 'killed in it' : s.status})`).join(', ');
}

function runLine(run: EarlierRun, index: number): string {
  const recovering = run.recoveryMs !== undefined ? `, ${formatDuration(run.recoveryMs)} of it from its fetch on` : '';
  const steps = run.steps.length ? `; it had run ${stepsSaid(run.steps)}` : '; killed before its first step';
  return `run ${index + 1}, killed: pid ${run.pid} (\`${run.command}\`), ${run.startedAt} → ${run.endedAt} (its last sign of life): ${formatDuration(run.ms)}${recovering}${steps}`;
}

/** One line per run, the killed ones first; none for a drill that was not resumed. */
export function resumedLines(record: DrillRecord): string[] {
  const earlier = record.resumed?.earlier ?? [];
  if (earlier.length === 0) return [];
  const self = record.rto.thisRunMs !== undefined ? [`run ${earlier.length + 1}, this one (--resume): ${record.startedAt} → ${record.finishedAt}: ${formatDuration(record.rto.thisRunMs)}; the time between the runs is not counted`] : [];
  return [...earlier.map(runLine), ...self, ...(record.resumed?.said ? [`before its first step: ${record.resumed.said}`] : [])];
}

/** "passed (resumed)": a resumed drill's step, said with whether it went on from the killed run or ran again. */
export function withResume(status: string, resume: string | undefined): string {
  return resume ? `${status} (${resume})` : status;
}
