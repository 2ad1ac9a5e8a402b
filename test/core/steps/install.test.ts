/** The install step against a table of command → result: no process is spawned. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePlan } from '../../../src/plan/load.js';
import { installStep, makesVenvOnly } from '../../../src/core/steps/install.js';
import { DrillError } from '../../../src/model/errors.js';
import { commandTable } from '../../helpers/command-table.js';
import { stepContext } from '../../helpers/step-context.js';

// The restore target: the isolation's scratch HOME is made inside it.
let restore: string;
beforeAll(async () => {
  restore = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-install-'));
});
afterAll(async () => {
  await rm(restore, { recursive: true, force: true });
});

/** The host allows a network namespace (the install step asks with `unshare … true`). */
const NAMESPACES = [
  { command: 'unshare --net true', stdout: '' },
  { command: 'unshare --user --map-root-user --net true', stdout: '' },
];

const plan = (install: string) =>
  parsePlan(
    ['name: t', 'snapshot: { repo: "file:///backup.git" }', install, 'service: { start: ./run, url: "http://127.0.0.1:8000" }'].join('\n'),
    '/plans/t.yaml',
  );

describe('install, with a command table', () => {
  it('runs each command in the restored tree and streams its output', async () => {
    // Given two install commands that succeed
    const runner = commandTable([
      ...NAMESPACES,
      { command: 'python3 -m venv .venv', stdout: '' },
      { command: '.venv/bin/pip install -r requirements.txt', stdout: 'Collecting nothing\nSuccessfully installed' },
    ]);
    const { ctx, logs, events } = stepContext<'install'>(plan('install: ["python3 -m venv .venv", ".venv/bin/pip install -r requirements.txt"]'), runner, restore);

    // When the step runs
    const result = await installStep.run(ctx, { verify: { files: [] } } as never);

    // Then both ran, in order, in the workspace, and the output reached the log
    expect(runner.calls.filter((c) => !c.command.startsWith('unshare')).map((c) => [c.command, c.options.cwd])).toEqual([
      ['python3 -m venv .venv', restore],
      ['.venv/bin/pip install -r requirements.txt', restore],
    ]);
    // …each with the drill's own HOME and caches (isolation), which an event says first.
    const home = path.join(restore, '.whisper-drill', 'home');
    for (const call of runner.calls.filter((c) => !c.command.startsWith('unshare'))) expect(call.options.env).toMatchObject({ HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), HF_HUB_OFFLINE: '1' });
    expect(logs).toEqual(['$ python3 -m venv .venv', '$ .venv/bin/pip install -r requirements.txt', 'Collecting nothing', 'Successfully installed']);
    expect(events[0]).toMatchObject({ type: 'isolation', isolation: { home: 'scratch', how: expect.arrayContaining([`HOME and caches (XDG_CACHE_HOME, HF_HOME, TORCH_HOME, PIP_CACHE_DIR) are empty folders of the drill: ${home}`]) } });
    expect(result).toMatchObject({ status: 'passed', output: { commands: 2 } });
    expect(result.summary).toMatch(/^2 command\(s\) in /);
  });

  it("makes the venv while the backup's wheelhouse still downloads; pip waits until it is whole", async () => {
    const runner = commandTable([
      ...NAMESPACES,
      { command: 'python3 -m venv .venv', stdout: '' },
      { command: '.venv/bin/pip install --no-index --find-links wheels -r requirements.txt', stdout: 'Successfully installed torch' },
    ]);
    const { ctx } = stepContext<'install'>(plan('install: ["python3 -m venv .venv", ".venv/bin/pip install --no-index --find-links wheels -r requirements.txt"]'), runner, restore);
    let wheelhouseWhole!: () => void;
    const waits: string[] = [];
    const running = installStep.run(
      { ...ctx, reached: (step, name) => (waits.push(`${step}:${name}`), new Promise<void>((resolve) => (wheelhouseWhole = resolve))) },
      { verify: { files: [] } } as never,
    );
    // The venv is made; pip has not run: it waits for fetch's wheelhouse.
    await vi.waitFor(() => expect(waits).toEqual(['fetch:wheelhouse']));
    expect(runner.calls.map((c) => c.command).filter((command) => !command.startsWith('unshare'))).toEqual(['python3 -m venv .venv']);
    wheelhouseWhole();
    await running;
    expect(runner.calls.map((c) => c.command).filter((command) => !command.startsWith('unshare'))).toEqual(['python3 -m venv .venv', '.venv/bin/pip install --no-index --find-links wheels -r requirements.txt']);
  });

  it('lets only what makes a venv run before the wheelhouse: pip, scripts and command lines of several wait', () => {
    for (const command of ['python3 -m venv .venv', '/usr/bin/python3.11 -m venv --copies .venv', 'python3 -I -m venv .venv', 'virtualenv .venv', 'uv venv']) expect(makesVenvOnly(command), command).toBe(true);
    for (const command of ['.venv/bin/pip install -r requirements.txt', 'python3 -m pip install torch', 'python3 -m venv .venv && .venv/bin/pip install x', './install.sh', 'cp -a /opt/venv .venv', 'python3 -m venv $(cat name)']) expect(makesVenvOnly(command), command).toBe(false);
  });

  it('fails naming the command, its exit code and its last words; later commands do not run', async () => {
    const runner = commandTable([
      ...NAMESPACES,
      { command: 'pip install -r requirements.txt', exitCode: 1, stderr: 'ERROR: No matching distribution found for torch==9.9' },
      { command: 'echo never', stdout: 'never' },
    ]);
    const { ctx } = stepContext<'install'>(plan('install: ["pip install -r requirements.txt", "echo never"]'), runner, restore);

    const error = await installStep.run(ctx, { verify: { files: [] } } as never).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DrillError);
    expect((error as DrillError).message).toBe(`\`pip install -r requirements.txt\` exited with 1: ERROR: No matching distribution found for torch==9.9 (in ${restore})`);
    expect(runner.calls.map((c) => c.command).filter((command) => !command.startsWith('unshare'))).toEqual(['pip install -r requirements.txt']);
  });

  it('says which limit to raise when a command runs out of time', async () => {
    const runner = commandTable([...NAMESPACES, { command: 'sleep 9999', timedOut: true }]);
    const { ctx } = stepContext<'install'>(plan('install: { commands: ["sleep 9999"], timeoutSec: 5 }'), runner);

    const error = (await installStep.run(ctx, { verify: { files: [] } } as never).catch((e: unknown) => e)) as DrillError;

    expect(error.message).toMatch(/^`sleep 9999` did not finish within its time limit/);
    expect(error.hint).toBe('raise install.timeoutSec (now 5)');
    expect(runner.calls.find((c) => c.command === 'sleep 9999')?.options.timeoutMs).toBeLessThanOrEqual(5000);
  });
});
