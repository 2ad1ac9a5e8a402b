/** The environment step against a table of command → result: what each tool prints, and the checks it makes. */
import { recordOf } from '../../helpers/record-of-events.js';
import { describe, expect, it } from 'vitest';
import { DrillError } from '../../../src/model/errors.js';
import { parsePlan } from '../../../src/plan/load.js';
import { environmentStep } from '../../../src/core/steps/environment.js';
import { commandTable } from '../../helpers/command-table.js';
import { stepContext } from '../../helpers/step-context.js';

const plan = parsePlan(
  [
    'name: t',
    'snapshot: { repo: "file:///backup.git" }',
    'environment:',
    '  python: { command: python3, version: ">=3.9" }',
    'service: { start: ./run, url: "http://127.0.0.1:8000" }',
  ].join('\n'),
  '/plans/t.yaml',
);

describe('environment, with a command table', () => {
  it('passes when git, git-lfs and a new enough python answer, with each measured value', async () => {
    const runner = commandTable([
      { command: 'git --version', stdout: 'git version 2.39.5' },
      { command: 'git lfs version', stdout: 'git-lfs/3.3.0 (GitHub; linux amd64; go 1.19.8)' },
      { command: 'python3 --version', stdout: 'Python 3.11.7' },
    ]);
    const { ctx, events } = stepContext<'environment'>(plan, runner);

    const result = await environmentStep.run(ctx, {} as never);

    expect(result.status).toBe('passed');
    expect(result.output?.checks.map((c) => [c.id, c.status, c.measured])).toEqual([
      ['git', 'passed', 'git 2.39.5'],
      ['git-lfs', 'passed', 'git-lfs 3.3.0'],
      ['python', 'passed', 'python3 3.11.7'],
    ]);
    // Each check reached the faces as it was measured.
    expect(events.filter((e) => e.type === 'check')).toHaveLength(3);
  });

  it('fails with the fix when git-lfs is missing and python is too old; the checks are on record', async () => {
    const runner = commandTable([
      { command: 'git --version', stdout: 'git version 2.39.5' },
      { command: 'git lfs version', exitCode: 1, stderr: "git: 'lfs' is not a git command. See 'git --help'." },
      { command: 'python3 --version', stdout: 'Python 3.8.10' },
    ]);
    const { ctx, events } = stepContext<'environment'>(plan, runner);

    const error = (await environmentStep.run(ctx, {} as never).catch((e: unknown) => e)) as DrillError;

    expect(error).toBeInstanceOf(DrillError);
    expect(error.message).toBe("2 requirement(s) not met: Git LFS (git-lfs not installed: git: 'lfs' is not a git command); Python (python3 3.8.10)");
    expect(error.hint).toBe('apt-get install -y git-lfs; install Python >=3.9 and set environment.python.command');
    const checks = recordOf(events).environment.checks;
    expect(checks.find((c) => c.id === 'git-lfs')).toMatchObject({ status: 'failed', installPackage: 'git-lfs' });
  });
});
