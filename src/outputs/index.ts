/**
 * The report folder: every output rendered from one record, each written atomically (temp file +
 * rename) so a reader never sees half a report. A new format is one module and one line here.
 */
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DrillError } from '../model/errors.js';
import type { DrillRecord } from '../model/record.js';
import { htmlOutput } from './html.js';
import { jsonOutput } from './json.js';
import { junitOutput } from './junit.js';
import { markdownOutput } from './markdown.js';
import type { Output } from './output.js';

export const OUTPUTS: readonly Output[] = [jsonOutput, markdownOutput, htmlOutput, junitOutput];

/** `file` whole or as it was: through a temporary name beside it, which goes on every path. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw new DrillError(`${file} is a directory: name a file to write`, { hint: `for example ${path.join(file, path.basename(file) || 'out')}.html` });
    throw error;
  }
}

/** Writes every output into the record's report folder, and the service's log beside them. */
export async function writeOutputs(record: DrillRecord, outputs: readonly Output[] = OUTPUTS): Promise<void> {
  const dir = record.reportDir;
  await mkdir(dir, { recursive: true });
  for (const output of outputs) await writeAtomically(path.join(dir, output.file), output.render(record));
  const log = path.join(dir, 'service.log');
  const serviceLog = record.service.log;
  if (serviceLog && path.resolve(serviceLog) !== log) await copyFile(serviceLog, log);
  else if (!serviceLog && record.mode !== 'check') await writeAtomically(log, '(the service was not started)\n');
}

/**
 * The same, at once: for a forced exit (a second Ctrl-C), where the process ends as soon as this returns.
 * What the drill had recorded so far is saved, rather than nothing.
 */
export function writeOutputsNow(record: DrillRecord, outputs: readonly Output[] = OUTPUTS): void {
  const dir = record.reportDir;
  mkdirSync(dir, { recursive: true });
  for (const output of outputs) {
    const file = path.join(dir, output.file);
    writeFileSync(`${file}.tmp-${process.pid}`, output.render(record));
    renameSync(`${file}.tmp-${process.pid}`, file);
  }
  const serviceLog = record.service.log;
  if (serviceLog && path.resolve(serviceLog) !== path.join(dir, 'service.log')) copyFileSync(serviceLog, path.join(dir, 'service.log'));
}
