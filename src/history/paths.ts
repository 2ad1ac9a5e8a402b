/** `<report-dir>/<plan name>/<UTC yyyymmddThhmmssZ>-<tag>/` */
import path from 'node:path';

export function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function reportDirFor(reportRoot: string, planName: string, startedAt: Date, tag: string | undefined): string {
  const safeTag = (tag ?? 'no-tag').replace(/[^A-Za-z0-9._-]/g, '_');
  return path.resolve(reportRoot, planName, `${utcStamp(startedAt)}-${safeTag}`);
}
