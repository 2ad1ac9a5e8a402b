/**
 * Builds the sample backup once for the whole run, in a cache directory of its own that is removed
 * afterwards; every test (and every CLI the tests start) finds it through WHISPER_DRILL_CACHE.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureSampleBackup } from '../src/sample/build.js';

export default async function setup(): Promise<() => Promise<void>> {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-test-cache-'));
  process.env['WHISPER_DRILL_CACHE'] = cache;
  await ensureSampleBackup(cache);
  return async () => {
    await rm(cache, { recursive: true, force: true });
  };
}
