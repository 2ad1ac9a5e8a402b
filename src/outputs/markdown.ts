/** report.md: the same facts as report.json, for a human reading it in a merge request or a ticket. */
import { describeDrift } from '../model/drift-text.js';
import { describeElsewhere, describeOutsideInput, describeProvenanceFile } from '../model/provenance-text.js';
import { archiveLine } from '../model/archive-text.js';
import { resumedLines, withResume } from '../model/resume-text.js';
import { formatBytes, formatDuration } from '../model/format.js';
import type { DrillRecord } from '../model/record.js';
import { driftStatus, statusLook } from '../faces/status.js';
import { auditLines } from './markdown-audit.js';
import type { Output } from './output.js';

type Report = DrillRecord;
const mark = (status: string) => `${statusLook(status).symbol} ${status}`;
/** An assertion that could not be carried out was not run: it neither passed nor failed. */
const assertionLabel = (a: DrillRecord['assertions'][number]) => (a.status === 'inconclusive' ? `${statusLook(a.status).symbol} not run` : mark(a.status));

/** A table cell: `|` would split it, a line break end the row, and `<` start an HTML tag that hides the text (e.g. `<|zh|>`). */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '\\<').replaceAll('\n', ' ');
}

function rtoLines(report: Report): string[] {
  const rows: Array<[string, number | undefined]> = [
    ['fetch', report.rto.fetchMs],
    ['verify', report.rto.verifyMs],
    ['install', report.rto.installMs],
    ['start', report.rto.startMs],
    ['first transcript', report.rto.firstTranscriptMs],
    ['recovery (fetch → first transcript)', report.rto.recoveryMs],
    ...((report.resumed?.earlier ?? []).map((run, i): [string, number] => [`killed run ${i + 1} (pid ${run.pid})`, run.ms])),
    ...(report.rto.thisRunMs !== undefined ? [['this run', report.rto.thisRunMs] as [string, number]] : []),
    [report.rto.thisRunMs !== undefined ? 'total (every run)' : 'total', report.rto.totalMs],
  ];
  const lines = rows.map(([name, ms]) => `| ${name} | ${ms === undefined ? '—' : formatDuration(ms)} |`);
  // Install runs beside the LFS download: which steps decided when the first transcript came.
  if (report.rto.criticalPath) lines.push(`| critical path | ${report.rto.criticalPath.join(' → ')} |`);
  return lines;
}

function driftLines(report: Report): string[] {
  const { drift } = report;
  if (!drift) return [];
  const rows = drift.items.map((i) => `| ${cell(i.title)} | ${cell(i.recorded ?? 'none')} | ${cell(i.current ?? 'none')} | ${i.change} | ${statusLook(driftStatus(i.severity)).symbol} ${i.severity} |`);
  return [
    `## Drift from ${drift.tag}'s environment`,
    '',
    describeDrift(drift),
    ...(rows.length ? ['', '| what | recorded with the tag | this node | change | severity |', '|---|---|---|---|---|', ...rows] : []),
    ...(drift.notCompared.length ? ['', `Not compared (not measured by this run): ${drift.notCompared.join(', ')}.`] : []),
    '',
  ];
}

export function renderMarkdown(report: Report): string {
  const { snapshot } = report;
  const lines = [
    `# ${report.verdict.toUpperCase()} — ${report.plan.name} ${snapshot.tag ?? ''}`.trimEnd(),
    '',
    `- Mode: ${report.mode}; plan \`${report.plan.file}\` (sha256 ${report.plan.sha256.slice(0, 16)}…)`,
    snapshot.archive
      ? `- Cold archive: ${snapshot.archive.location}, signature ${snapshot.signature ?? '—'}; ${archiveLine(snapshot.archive)}`
      : `- Snapshot: ${snapshot.repo ?? '—'} tag \`${snapshot.tag ?? '—'}\` commit \`${snapshot.commit ?? '—'}\`, signature ${snapshot.signature ?? '—'}`,
    `- Host: ${report.host.hostname} (${report.host.platform} ${report.host.release}, ${report.host.cpus} CPUs, ${formatBytes(report.host.memoryBytes)})`,
    `- From ${report.startedAt} to ${report.finishedAt}; ${report.tool.name} ${report.tool.version}`,
    ...(report.verdictReasons.length ? [`- Why: ${report.verdictReasons.join('; ')}`] : []),
    ...(report.resumed ? ['- Resumed after a kill (`--resume`); the recovery time counts each run\'s span:', ...resumedLines(report).map((line) => `  - ${line}`)] : []),
    ...(report.notices?.length ? ['- Before the first step:', ...report.notices.map((line) => `  - ${line}`)] : []),
    '',
    '## Steps',
    '',
    '| step | status | duration | summary |',
    '|---|---|---|---|',
    ...report.steps.map((s) => `| ${s.id} | ${withResume(mark(s.status), s.resume)} | ${formatDuration(s.durationMs)} | ${cell(s.summary)}${s.error?.hint ? ` — hint: ${cell(s.error.hint)}` : ''} |`),
    '',
    '## Recovery time (RTO)',
    '',
    '| phase | time |',
    '|---|---|',
    ...rtoLines(report),
    '',
    '## Environment',
    '',
    '| check | status | measured | required | fix |',
    '|---|---|---|---|---|',
    ...report.environment.checks.map((c) => `| ${c.title} | ${mark(c.status)} | ${cell(c.measured)} | ${cell(c.required ?? '')} | ${cell(c.fix ?? '')} |`),
    '',
    ...driftLines(report),
    ...(report.isolation ? ['## Isolation', '', ...report.isolation.how.map((line) => `- ${line}`), ''] : []),
    ...(report.outsideInputs.length
      ? [
          '## Inputs from outside the backup',
          '',
          'The backup carries no wheelhouse: pip could take packages from these. A node without them cannot be restored from this backup alone.',
          '',
          ...report.outsideInputs.map((input) => `- ${describeOutsideInput(input)}`),
          '',
        ]
      : []),
    ...(report.provenance
      ? [
          `## Provenance (${report.provenance.method})`,
          '',
          ...report.provenance.files.map((file) => `- ${describeProvenanceFile(file)}`),
          ...report.provenance.elsewhere.map((copy) => `- ${describeElsewhere(copy)}`),
          ...report.provenance.notes.map((note) => `- note: ${note}`),
          '',
        ]
      : []),
    '## LFS files',
    '',
    '| file | size | sha256 | verified |',
    '|---|---|---|---|',
    ...report.lfs.files.map((f) => `| ${cell(f.path)} | ${formatBytes(f.size)} | \`${f.oid}\` | ${f.verified ? `${statusLook('passed').symbol} yes` : `${statusLook('failed').symbol} no — ${cell(f.problem ?? '')}`} |`),
    '',
    '## Assertions',
    '',
    '| assertion | api | expected | actual | CER | latency | result |',
    '|---|---|---|---|---|---|---|',
    ...report.assertions.map(
      (a) =>
        `| ${cell(a.name)} | ${a.api} | ${cell(a.expected)} | ${cell(a.actual)} | ${a.cer === null ? '—' : a.cer.toFixed(3)} | ${a.latencyMs === null ? '—' : `${a.latencyMs} ms`} | ${assertionLabel(a)} — ${cell(a.detail)} |`,
    ),
    '',
    ...auditLines(report),
  ];
  return `${lines.join('\n')}\n`;
}

export const markdownOutput: Output = { file: 'report.md', render: renderMarkdown };
