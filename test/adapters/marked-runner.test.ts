/** Every process a drill runs carries its run id, found again in /proc/<pid>/environ: what a resumed drill ends. */
import { describe, expect, it } from 'vitest';
import { markedRunner } from '../../src/adapters/marked-runner.js';
import { markedProcesses, newRunId, RUN_ID_VAR } from '../../src/adapters/run-mark.js';
import { systemRunner } from '../../src/adapters/run.js';

describe('markedRunner', () => {
  it('adds the run id to the environment of what it runs, keeping the rest', async () => {
    const runId = newRunId();
    const runner = markedRunner(systemRunner, runId);
    const result = await runner.shell(`echo "$${RUN_ID_VAR} $KEPT"`, { env: { KEPT: 'yes' } });
    expect(result.stdout).toBe(`${runId} yes`);
    expect((await runner.run('sh', ['-c', `echo $${RUN_ID_VAR}`])).stdout).toBe(runId);
  });

  it('makes a process it started findable by the id while it runs', async () => {
    const runId = newRunId();
    const controller = new AbortController();
    let up = () => {};
    const seen = new Promise<void>((resolve) => (up = resolve));
    const running = markedRunner(systemRunner, runId).shell('echo up; exec sleep 30', { signal: controller.signal, onLine: () => up() });
    await seen;
    expect(markedProcesses(runId).length).toBeGreaterThan(0);
    controller.abort();
    await running;
  });
});
