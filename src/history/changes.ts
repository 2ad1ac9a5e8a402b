/**
 * What changed since the last drill (or setup) of the plan on this host, for the auditor: the tag,
 * the diff of each audited configuration file, and the recovery time of each phase then and now.
 * The earlier report is the last one under the report root; files it did not record are not compared.
 */
import path from 'node:path';
import { AUDITED_FILES, type ChangesSinceLastDrill, type DrillRecord } from '../model/record.js';
import { lineDiff } from './line-diff.js';
import type { PastDrill } from './read.js';
import { baselinesOf, PHASES } from './trend.js';

type Current = Pick<DrillRecord, 'plan' | 'host' | 'snapshot' | 'rto' | 'reportDir'>;

/** `history`: the plan's earlier drills under the report root, as the command read them once. */
export function changesSinceLastDrill(history: readonly PastDrill[], current: Current): ChangesSinceLastDrill | null {
  const earlier = history.filter(
    (drill) => drill.host === current.host.hostname && (drill.mode === 'drill' || drill.mode === 'setup') && path.resolve(drill.dir) !== path.resolve(current.reportDir),
  );
  const last = earlier.at(-1);
  if (!last) return null;
  const before = last.configFiles ?? {};
  const now = current.snapshot.configFiles ?? {};
  const files: ChangesSinceLastDrill['files'][number][] = [];
  const unchangedFiles: string[] = [];
  for (const file of AUDITED_FILES) {
    if (!(file in before) || !(file in now)) continue;
    const [a, b] = [before[file] ?? null, now[file] ?? null];
    if (a === b) unchangedFiles.push(file);
    else files.push({ path: file, change: a === null ? 'added' : b === null ? 'removed' : 'changed', diff: lineDiff(a ?? '', b ?? '') });
  }
  // Each phase against the last drill, and against the median of the last passing ones on this node.
  const medians = baselinesOf(earlier);
  const rto = PHASES.flatMap((phase) => {
    const [fromMs, toMs] = [last.rto[phase], current.rto[phase]];
    const medianMs = medians[phase];
    return fromMs === undefined || toMs === undefined ? [] : [{ phase, fromMs, toMs, ...(medianMs !== undefined ? { medianMs } : {}) }];
  });
  const tag = current.snapshot.tag;
  return {
    since: { startedAt: last.startedAt, tag: last.tag, commit: last.commit ?? null, verdict: last.verdict, reportDir: last.dir },
    tag: last.tag === tag ? null : { from: last.tag, to: tag },
    files,
    unchangedFiles,
    rto,
    environmentDrift: null,
  };
}
