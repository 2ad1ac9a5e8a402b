/**
 * report.html: the record as a page an auditor opens, prints and attaches. One file, no script, no
 * network: a Content-Security-Policy of `default-src 'none'` (inline styles and data: images only), so
 * nothing loads from anywhere whatever a string holds — and every string from a plan, a service or a
 * log is escaped. Status words are always written (colour is never the only signal); a print
 * stylesheet keeps sections whole on A4.
 *
 * The timeline is SVG written here: a waterfall of at most eight bars on one time axis, a goal line and
 * the critical path. A chart library would bring a DOM shim (Observable Plot) or a compiler
 * (Vega-Lite) to draw eight rectangles; these ~60 lines are the smaller and clearer choice.
 */
import { describeDrift } from '../model/drift-text.js';
import { describeElsewhere, describeOutsideInput, describeProvenanceFile } from '../model/provenance-text.js';
import { resumedLines } from '../model/resume-text.js';
import { archiveLine } from '../model/archive-text.js';
import { formatBytes, formatDuration } from '../model/format.js';
import type { DrillRecord, StepRecord } from '../model/record.js';
import { driftStatus } from '../faces/status.js';
import { diffSegments } from '../transcribe/compare.js';
import { badge, esc, htmlPage, REPORT_CSP, statusColor } from './html-page.js';
import type { Output } from './output.js';

export { esc, REPORT_CSP };

function table(allHead: readonly string[], allRows: readonly (readonly string[])[], caption?: string): string {
  if (allRows.length === 0) return '<p class="none">None.</p>';
  // A column with nothing in it (no check needed a fix) is left out.
  const kept = allHead.map((_h, index) => allRows.some((row) => (row[index] ?? '') !== ''));
  const head = allHead.filter((_h, index) => kept[index]);
  const rows = allRows.map((row) => row.filter((_cell, index) => kept[index]));
  return `<div class="scroll"><table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

const section = (id: string, title: string, body: string) => `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;

/** Each step on one time axis from the drill's start; the goal as a line from fetch's start; the critical path outlined. */
export function timelineSvg(record: DrillRecord): string {
  const begin = Date.parse(record.startedAt);
  const ran = record.steps.filter((step) => step.status !== 'skipped' || step.durationMs > 0);
  const bars = ran.map((step) => ({ step, from: Math.max(0, Date.parse(step.startedAt) - begin), ms: step.durationMs }));
  const fetch = bars.find((bar) => bar.step.id === 'fetch');
  const goalAt = record.rto.goalMs !== undefined && fetch ? fetch.from + record.rto.goalMs : undefined;
  const end = Math.max(1, ...bars.map((bar) => bar.from + bar.ms), goalAt ?? 0);
  const width = 720;
  const label = 96;
  const row = 26;
  const plot = width - label - 90;
  const x = (ms: number) => label + (ms / end) * plot;
  const critical = new Set(record.rto.criticalPath ?? []);
  const rows = bars.map((bar, index) => {
    const y = 8 + index * row;
    const w = Math.max(2, (bar.ms / end) * plot);
    const onPath = critical.has(bar.step.id);
    return [
      `<text x="0" y="${y + 15}" class="axis">${esc(bar.step.id)}</text>`,
      `<rect x="${x(bar.from).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" rx="2" fill="${statusColor(bar.step.status)}" fill-opacity="0.75"${onPath ? ' stroke="#24292f" stroke-width="2"' : ''}><title>${esc(`${bar.step.id}: ${bar.step.status}, ${formatDuration(bar.ms)}${onPath ? ', on the critical path' : ''}`)}</title></rect>`,
      `<text x="${(x(bar.from) + w + 4).toFixed(1)}" y="${y + 14}" class="axis">${esc(formatDuration(bar.ms))}${onPath ? ' ◆' : ''}</text>`,
    ].join('');
  });
  const height = 8 + bars.length * row + 22;
  const goal =
    goalAt !== undefined
      ? `<line x1="${x(goalAt).toFixed(1)}" x2="${x(goalAt).toFixed(1)}" y1="0" y2="${height - 18}" stroke="#cf222e" stroke-dasharray="4 3"/><text x="${(x(goalAt) + 3).toFixed(1)}" y="${height - 4}" class="axis">goal ${esc(formatDuration(record.rto.goalMs!))}</text>`
      : '';
  const axis = `<line x1="${label}" x2="${label + plot}" y1="${height - 18}" y2="${height - 18}" stroke="#8c959f"/><text x="${label}" y="${height - 4}" class="axis">0</text><text x="${label + plot - 40}" y="${height - 4}" class="axis">${esc(formatDuration(end))}</text>`;
  return `<svg role="img" aria-labelledby="timeline-title" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px"><title id="timeline-title">${esc(`Timeline of the phases: ${bars.map((bar) => `${bar.step.id} ${formatDuration(bar.ms)}`).join(', ')}`)}</title>${rows.join('')}${goal}${axis}</svg>`;
}

function diffHtml(expected: string, actual: string): string {
  return diffSegments(expected, actual)
    .map((segment) => (segment.op === 'same' ? esc(segment.text) : segment.op === 'missing' ? `<del title="missing">${esc(segment.text)}</del>` : `<ins title="extra">${esc(segment.text)}</ins>`))
    .join('');
}

/** The step's recovery phase, for its time against the median of the last drills. */
const PHASE_OF: Partial<Record<string, string>> = { fetch: 'fetchMs', verify: 'verifyMs', install: 'installMs', start: 'startMs' };

/** "+38 % (median 3.2 s)": the phase against the median of the last passing drills of the plan on this node. */
function againstMedian(record: DrillRecord, step: StepRecord): string {
  const row = record.changes?.rto.find((r) => r.phase === PHASE_OF[step.id]);
  if (row?.medianMs === undefined || row.medianMs <= 0) return '';
  const percent = Math.round((row.toMs / row.medianMs - 1) * 100);
  return `${percent > 0 ? '+' : percent < 0 ? '−' : '±'}${Math.abs(percent)} % (median ${formatDuration(row.medianMs)})`;
}

function stepRow(record: DrillRecord, step: StepRecord): string[] {
  return [esc(step.id), `${badge(step.status)}${step.resume ? ` <em>${esc(step.resume)}</em>` : ''}`, esc(formatDuration(step.durationMs)), esc(againstMedian(record, step)), `${esc(step.summary)}${step.error?.hint ? `<br><em>hint: ${esc(step.error.hint)}</em>` : ''}`];
}

function gpuTable(record: DrillRecord): string {
  const rows = record.assertions.flatMap((a) => (a.gpuProcesses ?? []).map((p) => [esc(a.name), esc(p.pid), esc(p.processName), esc(p.gpu), p.usedMiB === null ? 'N/A' : `${p.usedMiB} MiB`, esc(p.holder)]));
  return rows.length ? `<h3>GPU memory per process</h3>${table(['assertion', 'pid', 'process', 'GPU', 'memory', 'whose'], rows)}` : '';
}

export function renderHtml(record: DrillRecord): string {
  const { snapshot, rto } = record;
  const title = `${record.verdict.toUpperCase()} — ${record.plan.name} ${snapshot.tag ?? ''}`.trim();
  const recovery = rto.recoveryMs !== undefined ? `${formatDuration(rto.recoveryMs)} from fetch to the first correct transcript${rto.goalMs !== undefined ? ` (goal ${formatDuration(rto.goalMs)}: ${rto.recoveryMs <= rto.goalMs ? 'met' : 'missed'})` : ''}` : 'no correct transcript: no recovery time';
  const facts: Array<[string, string]> = [
    ['Verdict', `${badge(record.verdict, record.verdict.toUpperCase())}${record.verdictReasons.length ? ` — ${esc(record.verdictReasons.join('; '))}` : ''}`],
    ['Plan', `${esc(record.plan.name)} <code>${esc(record.plan.file)}</code> (sha256 ${esc(record.plan.sha256.slice(0, 16))}…)`],
    snapshot.archive
      ? ['Cold archive', `${esc(snapshot.archive.location)}; ${esc(archiveLine(snapshot.archive))}`]
      : ['Snapshot', `${esc(snapshot.repo ?? '—')} tag <code>${esc(snapshot.tag ?? '—')}</code> commit <code>${esc(snapshot.commit ?? '—')}</code>, signature ${esc(snapshot.signature ?? '—')}`],
    ['Node', `${esc(record.host.hostname)} (${esc(record.host.platform)} ${esc(record.host.release)}, ${record.host.cpus} CPUs, ${esc(formatBytes(record.host.memoryBytes))})`],
    ['Signed off by', `${esc(record.signOff.operator ?? '—')}${record.signOff.notes ? `<br><q>${esc(record.signOff.notes).replaceAll('\n', '<br>')}</q>` : ''}`],
    ['Recovery', esc(recovery)],
    ...(record.resumed ? [['Resumed after a kill', `<ul>${resumedLines(record).map((line) => `<li>${esc(line)}</li>`).join('')}</ul>`] as [string, string]] : []),
    ...(record.notices?.length ? [['Before the first step', `<ul>${record.notices.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>`] as [string, string]] : []),
    ['When', `${esc(record.startedAt)} → ${esc(record.finishedAt)}; ${esc(record.tool.name)} ${esc(record.tool.version)}, ${esc(record.mode)}`],
  ];
  const sections = [
    section('timeline', 'Timeline of the phases', `${timelineSvg(record)}<p class="note">Each bar is a step on one time axis from the drill's start; ◆ and an outline mark the critical path${rto.criticalPath ? ` (${esc(rto.criticalPath.join(' → '))})` : ''}${rto.goalMs !== undefined ? '; the dashed line is the recovery-time goal' : ''}.</p>`),
    section('steps', 'Steps', table(['step', 'status', 'duration', 'against the last drills', 'summary'], record.steps.map((step) => stepRow(record, step)))),
    section('environment', 'Environment', table(['check', 'status', 'measured', 'required', 'fix'], record.environment.checks.map((c) => [esc(c.title), badge(c.status), esc(c.measured), esc(c.required ?? ''), esc(c.fix ?? '')]))),
    ...(record.drift
      ? [section('drift', `Drift from ${record.drift.tag}'s environment`, `<p>${esc(describeDrift(record.drift))}</p>${table(['what', 'recorded with the tag', 'this node', 'change', 'severity'], record.drift.items.map((i) => [esc(i.title), esc(i.recorded ?? 'none'), esc(i.current ?? 'none'), esc(i.change), badge(driftStatus(i.severity), i.severity)]))}`)]
      : []),
    section('lfs', 'LFS files', table(['file', 'size', 'sha256', 'verified'], record.lfs.files.map((f) => [esc(f.path), esc(formatBytes(f.size)), `<code class="hash">${esc(f.oid)}</code>`, f.verified ? badge('passed', 'yes') : `${badge('failed', 'no')} ${esc(f.problem ?? '')}`]))),
    ...(record.provenance
      ? [section('provenance', `Provenance (${record.provenance.method})`, `<ul>${[...record.provenance.files.map(describeProvenanceFile), ...record.provenance.elsewhere.map(describeElsewhere), ...record.provenance.notes.map((note) => `note: ${note}`)].map((line) => `<li>${esc(line)}</li>`).join('')}</ul>`)]
      : []),
    section(
      'assertions',
      'Assertions',
      table(
        ['assertion', 'api', 'expected', 'actual', 'CER', 'latency', 'result'],
        record.assertions.map((a) => [
          esc(a.name),
          esc(a.api),
          esc(a.expected),
          !a.passed && a.normalizedExpected !== undefined && a.normalizedActual !== undefined ? diffHtml(a.normalizedExpected, a.normalizedActual) : esc(a.actual),
          a.cer === null ? '—' : a.cer.toFixed(3),
          a.latencyMs === null ? '—' : `${a.latencyMs} ms`,
          `${badge(a.status, a.status === 'inconclusive' ? 'not run' : a.status)} ${esc(a.detail)}`,
        ]),
      ) + `<p class="note">In a failed transcript, <del>struck</del> is expected text that is missing and <ins>underlined</ins> is text the service added.</p>${gpuTable(record)}`,
    ),
    ...(record.changes
      ? [
          section(
            'changes',
            'Changes since the last drill',
            `<p>Since ${esc(record.changes.since.startedAt)} (${esc(record.changes.since.tag ?? '—')}, ${esc(record.changes.since.verdict)})${record.changes.tag ? `: tag ${esc(record.changes.tag.from ?? '—')} → ${esc(record.changes.tag.to ?? '—')}` : ''}.</p>${record.changes.files
              .map((file) => `<h3><code>${esc(file.path)}</code> ${esc(file.change)}</h3>${file.diff ? `<pre>${esc(file.diff)}</pre>` : ''}`)
              .join('')}`,
          ),
        ]
      : []),
    ...(record.service.logTail?.length ? [section('service-log', "The service's last log lines", `<pre>${esc(record.service.logTail.join('\n'))}</pre><p class="note">From ${esc(record.service.log ?? 'the service log')}; the whole log is service.log beside this page.</p>`)] : []),
    ...(record.isolation ? [section('isolation', 'Isolation', `<ul>${record.isolation.how.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>`)] : []),
    ...(record.outsideInputs.length ? [section('outside', 'Inputs from outside the backup', `<ul>${record.outsideInputs.map((input) => `<li>${esc(describeOutsideInput(input))}</li>`).join('')}</ul>`)] : []),
  ];
  return htmlPage(
    title,
    `h1{font-size:1.6rem;margin:0 0 .75rem}h2{font-size:1.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:1.8rem}h3{font-size:1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
caption{text-align:left}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#f6f8fa;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}
.hash{word-break:break-all}.note,.none{color:#57606a;font-size:.85rem}
del{color:#cf222e;text-decoration:line-through}ins{color:#9a6700;text-decoration:underline;background:#fff8c5}
@media print{@page{size:A4;margin:12mm}body{padding:0;max-width:none;font-size:9pt;line-height:1.3}h1{font-size:14pt}h2{font-size:11pt;margin-top:.9rem;break-after:avoid}h3{font-size:9.5pt;margin:.4rem 0}tr,svg,pre{break-inside:avoid}table{font-size:7.5pt}th,td{padding:.12rem .3rem}pre,code{font-size:7.5pt}pre{padding:.25rem}.scroll{overflow:visible}.note{font-size:7.5pt}}`,
    `<header>
<h1>${esc(title)}</h1>
<dl>${facts.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('')}</dl>
</header>
<main>
${sections.join('\n')}
</main>`,
  );
}

export const htmlOutput: Output = { file: 'report.html', render: renderHtml };
