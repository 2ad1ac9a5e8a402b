/**
 * The backup's wheelhouse: `pip wheel -r requirements.txt` with the service's own python (its
 * version and platform, the node's pip configuration and index) into a folder the snapshot then
 * keeps as wheels/ in LFS — so a restore installs offline, from the backup alone
 * (`--no-index --find-links wheels`, ../core/steps/install.ts). Each wheel's sha256 goes into the
 * environment lock.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeFailure, run, type ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import type { GatheredFile } from './gather.js';

export const WHEELS_DIR = 'wheels';

export interface WheelhouseHooks {
  readonly runner?: ProcessRunner;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine?: (line: string) => void;
}

/** The wheels of `requirements`, built or downloaded into `dir` (emptied first), as gathered files under wheels/. */
export async function buildWheelhouse(python: string, requirements: string, dir: string, hooks: WheelhouseHooks = {}): Promise<GatheredFile[]> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const args = ['-m', 'pip', 'wheel', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '--wheel-dir', dir, '-r', requirements];
  const result = await run(python, args, {
    runner: hooks.runner,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    env: { ...hooks.env, PIP_NO_INPUT: '1' },
    timeoutMs: 30 * 60_000,
    keepLines: 40,
    ...(hooks.onLine ? { onLine: (_stream: 'stdout' | 'stderr', line: string) => hooks.onLine!(line) } : {}),
  });
  if (result.exitCode !== 0) {
    throw new DrillError(`the wheelhouse could not be made: ${describeFailure(result)}`, { hint: "pip must reach this node's package index (or pip.conf's mirror) for every requirement" });
  }
  const wheels: GatheredFile[] = [];
  for (const name of (await readdir(dir)).filter((entry) => entry.endsWith('.whl')).sort()) {
    const source = path.join(dir, name);
    wheels.push({ source, path: `${WHEELS_DIR}/${name}`, size: (await stat(source)).size, model: false });
  }
  return wheels;
}
