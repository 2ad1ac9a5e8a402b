/** Write the report files atomically (temp file + rename), so a reader never sees half a report. */
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from './build.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, content);
  await rename(temp, file);
}

export async function writeReport(dir: string, report: Report, serviceLog?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomically(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(path.join(dir, 'report.md'), renderMarkdown(report));
  await writeAtomically(path.join(dir, 'junit.xml'), renderJunit(report));
  const log = path.join(dir, 'service.log');
  if (serviceLog && path.resolve(serviceLog) !== log) await copyFile(serviceLog, log);
  else if (!serviceLog) await writeAtomically(log, '(the service was not started)\n');
}
