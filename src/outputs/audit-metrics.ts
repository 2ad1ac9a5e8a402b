/**
 * `audit --metrics-file`: the audit in node_exporter's textfile-collector format, a gauge per tag
 * (restorable 1 or 0, and whether the exit code depends on it: `must`) and the totals, labelled by plan
 * and host. deploy/prometheus/ alerts on a tag that must be restorable and is not.
 */
import type { AuditResult } from '../audit/audit.js';
import { Family } from './metrics.js';

export function renderAuditMetrics(result: AuditResult, where: { readonly plan: string; readonly host: string }, must: ReadonlySet<string>, exitCode: number, at: Date): string {
  const family = (name: string, help: string) => new Family(`whisper_drill_audit_${name}`, help);
  const restorable = family('restorable', 'Whether the tag can be restored (every LFS object on the server with its size, the files a drill reads, no bad signature): 1 or 0. must="true": the newest tag, or one the plan\'s audit.mustRestore names.');
  for (const row of result.rows) restorable.add({ ...where, tag: row.tag, must: String(must.has(row.tag)) }, row.restorable ? 1 : 0);
  const tags = family('tags', 'Tags audited.');
  tags.add(where, result.rows.length);
  const objects = family('objects', 'Distinct LFS objects asked about.');
  objects.add(where, result.objects);
  const missing = family('objects_missing', 'LFS objects missing, or not of the size their pointers say.');
  missing.add(where, result.missingObjects);
  const exit = family('exit_code', 'Exit code of the audit (0 restorable, 1 a tag that must be is not, 3 the backup could not be asked).');
  exit.add(where, exitCode);
  const last = family('last_run_timestamp_seconds', 'When the audit ran.');
  last.add(where, Math.round(at.getTime() / 1000));
  return `${[restorable, tags, objects, missing, exit, last].map((each) => each.text()).join('\n')}\n`;
}
