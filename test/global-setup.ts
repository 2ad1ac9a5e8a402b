/**
 * Builds the sample backup once for the whole run, in a cache directory of its own that is removed
 * afterwards; every test (and every CLI the tests start) finds it through WHISPER_DRILL_CACHE. The
 * same cache holds the venv the demo plan's drills copy (helpers/demo-plan.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ensureSampleBackup } from '../src/sample/build.js';

export default async function setup(): Promise<() => Promise<void>> {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-test-cache-'));
  process.env['WHISPER_DRILL_CACHE'] = cache;
  // The venv the demo plan's drills copy (helpers/demo-plan.ts), made while the sample is built.
  await Promise.all([ensureSampleBackup(cache), execa('python3', ['-m', 'venv', path.join(cache, 'sample-venv')])]);
  return async () => {
    await rm(cache, { recursive: true, force: true });
  };
}
