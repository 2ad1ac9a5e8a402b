/** `<report-dir>/<plan name>/<UTC yyyymmddThhmmssZ>-<tag>/` (with `-2`, `-3`… when that second is taken). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../model/errors.js';

export function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function reportDirFor(reportRoot: string, planName: string, startedAt: Date, tag: string | undefined): string {
  const safeTag = (tag ?? 'no-tag').replace(/[^A-Za-z0-9._-]/g, '_');
  return path.resolve(reportRoot, planName, `${utcStamp(startedAt)}-${safeTag}`);
}

/**
 * Creates the report folder and makes it this drill's alone: two drills of one plan that start in
 * the same second (a fleet run, a retry, a test suite) would otherwise write one service.log and
 * one report.json over each other. The folder is made with a non-recursive mkdir, which fails when
 * it exists, so the first drill keeps the plain name and the next gets `-2`.
 */
export function claimReportDir(wanted: string): string {
  mkdirSync(path.dirname(wanted), { recursive: true });
  for (let n = 1; ; n += 1) {
    const dir = n === 1 ? wanted : `${wanted}-${n}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * The reports can be written where they go: said before any step runs (exit 2), not found out when the
 * first report is due, after the restore. Makes the plan's folder and writes a file in it, then removes it.
 */
export function assertWritableReports(reportRoot: string, planName: string): void {
  const dir = path.join(reportRoot, planName);
  try {
    mkdirSync(dir, { recursive: true });
    const probe = mkdtempSync(path.join(dir, '.write-check-'));
    rmSync(probe, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(`cannot write reports to ${dir}: ${code} (${(error as Error).message}); pass --report-dir DIR, or fix report.dir in the plan`);
  }
}
