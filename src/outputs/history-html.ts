/**
 * history.html (`whisper-drill history --html FILE`): the drills under a report root as a page for an
 * on-call lead — for a fleet, a grid of nodes and their latest drill, overdue ones first; per plan and
 * host, the recovery time over time (SVG, written here: one line and its points; an overdue plan ends
 * in a red band), the policy, the
 * regressions flagged as in the terminal, and every drill linking to its report.html (report.md for
 * drills saved before report.html existed). Same rules as report.html: no script, nothing loaded,
 * everything escaped.
 */
import { describePolicy } from '../history/policy-text.js';
import { formatDuration } from '../model/format.js';
import type { HostHistory } from '../history/trend.js';
import type { PastDrill } from '../history/read.js';
import { badge, esc, htmlPage, statusColor } from './html-page.js';


export interface HistoryPageInput {
  readonly root: string;
  readonly hosts: readonly HostHistory[];
  /** The link to a drill's page, relative to the history page (report.html, or report.md for older drills). */
  readonly linkOf: (drill: PastDrill) => string;
  readonly now: Date;
}

/** The phases drawn beside the recovery: which, its label, its colour and its dash. */
const PHASE_LINES: ReadonlyArray<readonly ['fetchMs' | 'installMs' | 'startMs', string, string, string]> = [
  ['fetchMs', 'fetch', '#8250df', '6 3'],
  ['installMs', 'install', '#bc4c00', '2 2'],
  ['startMs', 'start', '#1b7c83', '8 2 2 2'],
];

/** The recovery time (fetch → first transcript; the total where there is none) of each drill over time, and each phase's. */
export function recoveryChart(history: HostHistory): string {
  const points = history.drills.map((drill) => ({ drill, ms: drill.rto.recoveryMs ?? drill.rto.totalMs })).filter((point): point is { drill: (typeof history.drills)[number]; ms: number } => point.ms !== undefined);
  if (points.length === 0) return '<p class="none">No recovery time on record.</p>';
  const width = 640;
  const height = 180;
  const pad = 56;
  const high = Math.max(...points.map((point) => point.ms), ...points.map((point) => point.drill.rto.goalMs ?? 0));
  const x = (index: number) => pad + (points.length === 1 ? (width - 2 * pad) / 2 : (index / (points.length - 1)) * (width - 2 * pad));
  const y = (ms: number) => height - pad + 10 - (ms / high) * (height - pad - 10);
  // Each phase too, thinner and dashed (its name at its end: the colour is not the only signal).
  // Labels at the lines' ends, moved apart where they would overlap.
  const taken: number[] = [y(points.at(-1)!.ms) - 8];
  const labelY = (wanted: number) => {
    let at = wanted;
    while (taken.some((other) => Math.abs(other - at) < 11)) at += 11;
    taken.push(at);
    return at;
  };
  const phaseLines = PHASE_LINES.flatMap(([phase, label, stroke, dash]) => {
    const along = points.map((point, index) => ({ index, ms: point.drill.rto[phase] })).filter((p): p is { index: number; ms: number } => p.ms !== undefined);
    if (along.length === 0) return [];
    const last = along.at(-1)!;
    return [
      `<polyline points="${along.map((p) => `${x(p.index).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ')}" fill="none" stroke="${stroke}" stroke-width="1.5" stroke-dasharray="${dash}"><title>${esc(`${label}: ${along.map((p) => formatDuration(p.ms)).join(', ')}`)}</title></polyline>`,
      `<text x="${(x(last.index) + 6).toFixed(1)}" y="${labelY(y(last.ms) + 4).toFixed(1)}" class="axis" fill="${stroke}">${esc(label)}</text>`,
    ];
  });
  const line = points.map((point, index) => `${x(index).toFixed(1)},${y(point.ms).toFixed(1)}`).join(' ');
  const goal = points.at(-1)!.drill.rto.goalMs;
  const dots = points.map((point, index) => {
    const slow = point.drill.regressions.length > 0;
    const color = statusColor(point.drill.verdict);
    return `<circle cx="${x(index).toFixed(1)}" cy="${y(point.ms).toFixed(1)}" r="${slow ? 6 : 4}" fill="${color}"${slow ? ' stroke="#24292f" stroke-width="2"' : ''}><title>${esc(`${point.drill.startedAt.slice(0, 10)} ${point.drill.tag ?? ''}: ${point.drill.verdict}, ${formatDuration(point.ms)}${slow ? ', slower than before' : ''}`)}</title></circle>`;
  });
  return `<svg role="img" aria-label="${esc(`Recovery time of ${history.plan} on ${history.host}, oldest to newest: ${points.map((point) => formatDuration(point.ms)).join(', ')}`)}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">`
    + `<line x1="${pad}" x2="${width - pad}" y1="${height - pad + 10}" y2="${height - pad + 10}" stroke="#8c959f"/>`
    + (goal !== undefined ? `<line x1="${pad}" x2="${width - pad}" y1="${y(goal).toFixed(1)}" y2="${y(goal).toFixed(1)}" stroke="#cf222e" stroke-dasharray="4 3"/><text x="${width - pad}" y="${(y(goal) - 4).toFixed(1)}" text-anchor="end" class="axis">goal ${esc(formatDuration(goal))}</text>` : '')
    + (history.policy?.overdue
      ? `<rect x="${width - pad}" y="0" width="${pad}" height="${height - pad + 10}" fill="#cf222e" fill-opacity="0.15"><title>${esc(`overdue: no passing drill within ${history.policy.every}`)}</title></rect><text x="${width - 2}" y="${height - pad + 4}" text-anchor="end" class="axis" fill="#cf222e">overdue</text>`
      : '')
    + phaseLines.join('')
    + `<polyline points="${line}" fill="none" stroke="#0969da" stroke-width="2.5"/>${dots.join('')}<text x="${(x(points.length - 1) + 6).toFixed(1)}" y="${(y(points.at(-1)!.ms) - 8).toFixed(1)}" class="axis" fill="#0969da">${points.at(-1)!.drill.rto.recoveryMs !== undefined ? 'recovery' : 'total'}</text>`
    + `<text x="2" y="${(y(high) + 4).toFixed(1)}" class="axis">${esc(formatDuration(high))}</text><text x="${pad}" y="${height - 6}" class="axis">${esc(points[0]!.drill.startedAt.slice(0, 10))}</text><text x="${width - pad}" y="${height - 6}" text-anchor="end" class="axis">${esc(points.at(-1)!.drill.startedAt.slice(0, 10))}</text></svg>`;
}

function fleetGrid(input: HistoryPageInput): string {
  const rows = [...input.hosts]
    .sort((a, b) => Number(b.policy?.overdue ?? false) - Number(a.policy?.overdue ?? false) || a.host.localeCompare(b.host) || a.plan.localeCompare(b.plan))
    .map((history) => {
      const last = history.drills.at(-1)!;
      return `<tr><td>${esc(history.host)}</td><td>${esc(history.plan)}</td><td><a href="${esc(input.linkOf(last))}">${esc(last.startedAt.slice(0, 16).replace('T', ' '))}</a> ${esc(last.tag ?? '')}</td><td>${badge(last.verdict)}</td><td>${history.policy ? (history.policy.overdue ? `<strong class="late">✖ ${esc(describePolicy(history.policy).replace(/^⚠ /, ''))}</strong>` : esc(describePolicy(history.policy).replace(/^✔ /, ''))) : 'no policy'}</td></tr>`;
    });
  return `<section id="fleet"><h2>Nodes and their latest drill</h2><div class="scroll"><table><thead><tr><th scope="col">node</th><th scope="col">plan</th><th scope="col">latest drill</th><th scope="col">verdict</th><th scope="col">policy</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function hostSection(history: HostHistory, input: HistoryPageInput): string {
  const policy = history.policy ? `<p class="${history.policy.overdue ? 'overdue' : 'policy'}">${esc(describePolicy(history.policy))}</p>` : '';
  const rows = [...history.drills].reverse().map((drill) => {
    const slow = drill.regressions.map((r) => `${r.phase.replace(/Ms$/, '')} ${formatDuration(r.ms)}, ${Math.round((r.ms / r.baselineMs - 1) * 100)}% over the median before it (${formatDuration(r.baselineMs)})`);
    return `<tr><td><a href="${esc(input.linkOf(drill))}">${esc(drill.startedAt.slice(0, 19).replace('T', ' '))}</a></td><td>${esc(drill.tag ?? '—')}</td><td>${badge(drill.verdict)}</td><td>${drill.rto.recoveryMs === undefined ? '—' : esc(formatDuration(drill.rto.recoveryMs))}</td><td>${drill.rto.totalMs === undefined ? '—' : esc(formatDuration(drill.rto.totalMs))}</td><td>${slow.length ? `${badge('warned', 'slower')} ${esc(slow.join('; '))}` : ''}</td></tr>`;
  });
  return `<section><h2>${esc(history.plan)} on ${esc(history.host)}</h2>${policy}${recoveryChart(history)}<div class="scroll"><table><thead><tr><th scope="col">started (UTC)</th><th scope="col">tag</th><th scope="col">verdict</th><th scope="col">recovery</th><th scope="col">total</th><th scope="col">regressions</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

export function renderHistoryHtml(input: HistoryPageInput): string {
  const fleet = new Set(input.hosts.map((history) => history.host)).size > 1;
  return htmlPage(
    `Drill history — ${input.root}`,
    `h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:1.6rem}
td:first-child{white-space:nowrap}.late{color:#cf222e}.overdue{color:#cf222e;font-weight:600;border-left:4px solid #cf222e;padding-left:.5rem}.policy{color:#1a7f37}a{color:#0969da}
@media print{@page{size:A4;margin:12mm}body{padding:0;max-width:none;font-size:9pt}table{font-size:7.5pt}section{break-inside:avoid-page}}`,
    `<h1>Drill history</h1>
<p>${esc(input.hosts.reduce((sum, history) => sum + history.drills.length, 0))} drill(s) of ${esc(new Set(input.hosts.map((history) => history.plan)).size)} plan(s) on ${esc(new Set(input.hosts.map((history) => history.host)).size)} node(s) under <code>${esc(input.root)}</code>, as of ${esc(input.now.toISOString().slice(0, 16).replace('T', ' '))} UTC. A point outlined in the charts, and "slower" in the tables, is a phase more than 25 % and 1 s slower than the median of the drills before it.</p>
<main>
${fleet ? fleetGrid(input) : ''}
${input.hosts.map((history) => hostSection(history, input)).join('\n')}
</main>`,
  );
}
