/** The audit as an operator reads it: a line per tag, newest first, and under a tag that cannot be restored, why. */
import { formatBytes } from '../model/format.js';
import type { AuditResult } from './audit.js';

export function renderAudit(result: AuditResult, mustRestore: ReadonlySet<string>): string {
  const header = ['TAG', 'DATE', 'LFS', 'SIGNATURE', 'LOCK', 'WHEELS', 'RESTORABLE', 'LAST DRILL'];
  const rows = result.rows.map((row) => [
    row.tag,
    row.date.slice(0, 10),
    `${row.lfsFiles} files, ${formatBytes(row.lfsBytes)}`,
    row.signature,
    row.lock ? 'yes' : 'no',
    row.wheelhouse ? 'yes' : 'no',
    row.restorable ? 'yes' : mustRestore.has(row.tag) ? 'NO (must)' : 'NO',
    row.lastDrill ? `${row.lastDrill.verdict} ${row.lastDrill.at.slice(0, 10)}` : '—',
  ]);
  const widths = header.map((_, column) => Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const lines = [line(header)];
  result.rows.forEach((row, index) => {
    lines.push(line(rows[index]!));
    for (const problem of row.problems) lines.push(`    ${problem}`);
  });
  const unrestorable = result.rows.filter((row) => !row.restorable).length;
  const via = result.source === 'store' ? "the repository's LFS store" : 'the LFS server (Batch API, then a ranged read of each object)';
  lines.push(
    '',
    `${result.rows.length} tag(s) of ${result.repo}: ${result.rows.length - unrestorable} restorable, ${unrestorable} not; ${result.objects} LFS object(s) asked of ${via}, ${result.missingObjects} missing or of the wrong size`,
  );
  return `${lines.join('\n')}\n`;
}
