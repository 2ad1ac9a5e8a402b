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

/**
 * python3 as the shell finds it may be a version manager's shim (pyenv's: a bash script that execs a
 * dozen more, ~60 ms of CPU a call against ~2 ms). The tests call python3 hundreds of times — every
 * environment check, every stand-in service, every model made — so its own directory goes first on
 * PATH: the same interpreter, without the detour.
 */
async function pythonFirstOnPath(): Promise<void> {
  const { stdout } = await execa('python3', ['-c', 'import os, sys; print(os.path.dirname(sys.executable))']);
  const dir = stdout.trim();
  if (dir && !(process.env['PATH'] ?? '').split(':').slice(0, 1).includes(dir)) process.env['PATH'] = `${dir}:${process.env['PATH'] ?? ''}`;
}

export default async function setup(): Promise<() => Promise<void>> {
  await pythonFirstOnPath();
  const cache = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-test-cache-'));
  process.env['WHISPER_DRILL_CACHE'] = cache;
  // The venv the demo plan's drills copy (helpers/demo-plan.ts), made while the sample is built.
  await Promise.all([ensureSampleBackup(cache), execa('python3', ['-m', 'venv', path.join(cache, 'sample-venv')])]);
  return async () => {
    await rm(cache, { recursive: true, force: true });
  };
}
