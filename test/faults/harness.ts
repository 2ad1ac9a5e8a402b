/**
 * The fault-injection suite's harness. Each fault is a test that injects one thing going wrong and then
 * proves, besides what its own body asserts (the verdict, the failing step, the operator's message, the
 * saved report — see `expectFailure`), that nothing was left behind: no process of the case's run, no
 * temp file or folder (each case gets a TMPDIR of its own, which must end empty), no open descriptor more
 * than before. The suite counts its faults: `faults-reporter.ts` prints the count in the run's summary.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { DrillRecord, StepId, Verdict } from '../../src/model/record.js';
import { describeProcesses, processesUsing } from '../helpers/processes.js';

export const FAULT_PREFIX = 'fault:';

export type FaultArea = 'storage' | 'process' | 'service' | 'inputs' | 'environment' | 'tty';

export interface Scene {
  /** The case's own folder (plans, reports, cache, workspaces); removed after the case. */
  readonly dir: string;
  /** TMPDIR while the case runs: must be empty after it. */
  readonly tmp: string;
  /** Runs `cleanup` when the case's body ends, before what is left is looked for (a test server's stop). */
  defer(cleanup: () => Promise<unknown> | unknown): void;
}

async function openDescriptors(): Promise<Map<string, string>> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map(async (fd) => [fd, await readlink(`/proc/self/fd/${fd}`).catch(() => 'gone')] as const));
  return new Map(targets.filter(([, target]) => target !== 'gone'));
}

/**
 * Descriptors opened during the case and still open: sockets and files only (Node's own pipes and
 * event fds come and go with its thread pool). Waits for closes already under way, up to `ms`.
 */
async function leakedDescriptors(before: Map<string, string>, dir: string, ms = 3_000): Promise<string[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    const now = await openDescriptors();
    const leaked = [...now].filter(([fd, target]) => before.get(fd) !== target && (target.startsWith('socket:') || target.startsWith(dir) || target.startsWith('/tmp/'))).map(([fd, target]) => `${fd} → ${target}`);
    if (leaked.length === 0 || performance.now() > deadline) return leaked;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function leftoverProcesses(dir: string, ms = 5_000): Promise<string> {
  const deadline = performance.now() + ms;
  for (;;) {
    const left = processesUsing(dir);
    if (left.length === 0 || performance.now() > deadline) return describeProcesses(left);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One injected fault: `[area] what goes wrong`. */
export function fault(area: FaultArea, name: string, body: (scene: Scene) => Promise<void>, timeoutMs = 60_000): void {
  it(`${FAULT_PREFIX} [${area}] ${name}`, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-fault-'));
    const tmp = path.join(dir, 'tmp');
    await mkdir(tmp);
    const before = await openDescriptors();
    const previous = process.env['TMPDIR'];
    process.env['TMPDIR'] = tmp;
    const cleanups: Array<() => Promise<unknown> | unknown> = [];
    try {
      try {
        await body({ dir, tmp, defer: (cleanup) => cleanups.push(cleanup) });
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup();
      }
      expect(await leftoverProcesses(dir), 'processes the case left running').toBe('');
      expect(await readdir(tmp), `left in TMPDIR ${tmp}`).toEqual([]);
      const leaked = await leakedDescriptors(before, dir);
      expect(leaked, `descriptors left open: ${leaked.join(', ')}`).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previous;
      await rm(dir, { recursive: true, force: true });
    }
  }, timeoutMs);
}

export interface ExpectedFailure {
  readonly verdict: Verdict;
  /** The step that failed (or, for an interruption, the one that was running). */
  readonly step: StepId;
  /** What the operator reads: the step's error message. */
  readonly message: RegExp;
  readonly hint?: RegExp;
}

/** The verdict, the failing step and its message, the report saved, the workspace gone. */
export function expectFailure(record: DrillRecord, expected: ExpectedFailure): void {
  const failing = record.steps.filter((s) => s.error).map((s) => `${s.id} ${s.status}: ${s.error?.message}`).join('\n');
  expect(record.verdict, failing).toBe(expected.verdict);
  const step = record.steps.find((s) => s.id === expected.step);
  if (expected.verdict === 'aborted') expect(step?.status, failing).not.toBe('passed');
  else expect(step?.status, failing).toBe('failed');
  expect(step?.error?.message ?? step?.summary ?? '', failing).toMatch(expected.message);
  if (expected.hint) expect(step?.error?.hint ?? '').toMatch(expected.hint);
  for (const file of ['report.json', 'report.md', 'junit.xml']) expect(existsSync(path.join(record.reportDir, file)), `${file} saved`).toBe(true);
  // `check` restores nothing: its "workspace" is the temp folder it measured.
  if (record.mode !== 'check') expect(existsSync(record.workdir), `the workspace ${record.workdir} is removed`).toBe(false);
}
