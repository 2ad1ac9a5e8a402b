/** report.md's part for the auditor: who signed the drill off, and what changed since the last one. */
import { formatDuration } from '../model/format.js';
import type { DrillRecord } from '../model/record.js';

/** Backticks inside a fenced block would end it early. */
const fenced = (text: string) => text.replaceAll('```', "'''");

function signOffLines(report: DrillRecord): string[] {
  const { operator, notes } = report.signOff;
  return [
    '## Sign-off',
    '',
    `- Operator: ${operator ?? '— (not given: --operator NAME)'}`,
    ...(notes ? ['- Notes:', '', ...notes.split('\n').map((line) => `  > ${line}`)] : ['- Notes: —']),
    '',
  ];
}

function changeLines(report: DrillRecord): string[] {
  const changes = report.changes;
  if (report.mode === 'check') return [];
  if (!changes) return ['## Since the last drill', '', `The first drill of ${report.plan.name} on ${report.host.hostname} under this report directory.`, ''];
  const { since } = changes;
  const lines = [
    '## Since the last drill',
    '',
    `Compared with the ${since.verdict} drill of ${since.startedAt} (\`${since.tag ?? '—'}\`, commit \`${since.commit ?? '—'}\`, ${since.reportDir}).`,
    '',
    `- Tag: ${changes.tag ? `\`${changes.tag.from ?? '—'}\` → \`${changes.tag.to ?? '—'}\`` : 'the same'}`,
    `- Unchanged: ${changes.unchangedFiles.length ? changes.unchangedFiles.map((f) => `\`${f}\``).join(', ') : '—'}`,
    '- Environment drift: not recorded by this version',
    '',
  ];
  for (const file of changes.files) lines.push(`### \`${file.path}\` ${file.change}`, '', '```diff', fenced(file.diff).trimEnd(), '```', '');
  if (changes.rto.length) {
    lines.push('| phase | then | now | change |', '|---|---|---|---|');
    for (const { phase, fromMs, toMs } of changes.rto) {
      const change = fromMs > 0 ? Math.round((toMs / fromMs - 1) * 100) : undefined;
      const percent = change === undefined ? '—' : change === 0 ? '±0%' : `${change > 0 ? '+' : '−'}${Math.abs(change)}%`;
      lines.push(`| ${phase.replace(/Ms$/, '')} | ${formatDuration(fromMs)} | ${formatDuration(toMs)} | ${percent} |`);
    }
    lines.push('');
  }
  return lines;
}

export function auditLines(report: DrillRecord): string[] {
  return [...signOffLines(report), ...changeLines(report)];
}
