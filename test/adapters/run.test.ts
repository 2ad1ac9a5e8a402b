/** A plan's command line runs in a process group of its own: whatever it starts ends with it. */
import { describe, expect, it } from 'vitest';
import { runShell } from '../../src/adapters/run.js';
import { listProcesses } from '../helpers/processes.js';

/** Processes whose command line begins with `marker` (not the shells that started them). */
async function processesWith(marker: string): Promise<string[]> {
  return listProcesses()
    .filter((p) => p.cmdline.startsWith(marker))
    .map((p) => `${p.pid}: ${p.cmdline}`);
}

describe('a plan command', () => {
  it('that sends a child to the background ends when its shell does, and the child with it', async () => {
    const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const result = await runShell(`sleep ${marker} & echo started`, { timeoutMs: 30_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'started', timedOut: false });
    expect(await processesWith(`sleep ${marker}`)).toEqual([]);
  });

  it('aborted, stops all it started, not only its shell', async () => {
    const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const controller = new AbortController();
    const running = runShell(`sh -c 'sleep ${marker}'; echo never`, { signal: controller.signal, timeoutMs: 30_000 });
    // The abort comes once the grandchild runs (seen in /proc: there is no event to wait on).
    for (let tries = 0; tries < 200 && (await processesWith(`sleep ${marker}`)).length === 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await processesWith(`sleep ${marker}`)).toHaveLength(1);
    controller.abort();
    const result = await running;
    expect(result.aborted).toBe(true);
    expect(result.stdout).not.toContain('never');
    expect(await processesWith(`sleep ${marker}`)).toEqual([]);
  });
});
