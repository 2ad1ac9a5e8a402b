/** The install step against a table of command → result: no process is spawned. */
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/plan/load.js';
import { installStep } from '../../../src/core/steps/install.js';
import { DrillError } from '../../../src/model/errors.js';
import { commandTable } from '../../helpers/command-table.js';
import { stepContext } from '../../helpers/step-context.js';

const plan = (install: string) =>
  parsePlan(
    ['name: t', 'snapshot: { repo: "file:///backup.git" }', install, 'service: { start: ./run, url: "http://127.0.0.1:8000" }'].join('\n'),
    '/plans/t.yaml',
  );

describe('install, with a command table', () => {
  it('runs each command in the restored tree and streams its output', async () => {
    // Given two install commands that succeed
    const runner = commandTable([
      { command: 'python3 -m venv .venv', stdout: '' },
      { command: '.venv/bin/pip install -r requirements.txt', stdout: 'Collecting nothing\nSuccessfully installed' },
    ]);
    const { ctx, logs } = stepContext<'install'>(plan('install: ["python3 -m venv .venv", ".venv/bin/pip install -r requirements.txt"]'), runner, '/restore');

    // When the step runs
    const result = await installStep.run(ctx, {} as never);

    // Then both ran, in order, in the workspace, and the output reached the log
    expect(runner.calls.map((c) => [c.command, c.options.cwd])).toEqual([
      ['python3 -m venv .venv', '/restore'],
      ['.venv/bin/pip install -r requirements.txt', '/restore'],
    ]);
    expect(logs).toEqual(['$ python3 -m venv .venv', '$ .venv/bin/pip install -r requirements.txt', 'Collecting nothing', 'Successfully installed']);
    expect(result).toMatchObject({ status: 'passed', output: { commands: 2 } });
    expect(result.summary).toMatch(/^2 command\(s\) in /);
  });

  it('fails naming the command, its exit code and its last words; later commands do not run', async () => {
    const runner = commandTable([
      { command: 'pip install -r requirements.txt', exitCode: 1, stderr: 'ERROR: No matching distribution found for torch==9.9' },
      { command: 'echo never', stdout: 'never' },
    ]);
    const { ctx } = stepContext<'install'>(plan('install: ["pip install -r requirements.txt", "echo never"]'), runner, '/restore');

    const error = await installStep.run(ctx, {} as never).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DrillError);
    expect((error as DrillError).message).toBe('`pip install -r requirements.txt` exited with 1: ERROR: No matching distribution found for torch==9.9 (in /restore)');
    expect(runner.calls.map((c) => c.command)).toEqual(['pip install -r requirements.txt']);
  });

  it('says which limit to raise when a command runs out of time', async () => {
    const runner = commandTable([{ command: 'sleep 9999', timedOut: true }]);
    const { ctx } = stepContext<'install'>(plan('install: { commands: ["sleep 9999"], timeoutSec: 5 }'), runner);

    const error = (await installStep.run(ctx, {} as never).catch((e: unknown) => e)) as DrillError;

    expect(error.message).toMatch(/^`sleep 9999` did not finish within its time limit/);
    expect(error.hint).toBe('raise install.timeoutSec (now 5)');
    expect(runner.calls[0]?.options.timeoutMs).toBeLessThanOrEqual(5000);
  });
});
