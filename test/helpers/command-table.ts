/**
 * A ProcessRunner that answers from a table of command → result, as np fakes execa: a step's unit
 * test says what each tool prints and asserts what the step made of it. A command the table does not
 * know fails the test, naming it.
 */
import type { ProcessRunner, RunOptions, RunResult } from '../../src/adapters/run.js';

export interface CommandRow {
  /** The command as displayed (`git lfs version`, or the shell line), or a pattern for it. */
  readonly command: string | RegExp;
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly missing?: boolean;
  readonly timedOut?: boolean;
}

export interface CommandTable extends ProcessRunner {
  /** Every command run, in order, with its options. */
  readonly calls: Array<{ readonly command: string; readonly options: RunOptions }>;
}

export function commandTable(rows: readonly CommandRow[]): CommandTable {
  const calls: CommandTable['calls'] = [];
  const answer = async (command: string, options: RunOptions = {}): Promise<RunResult> => {
    calls.push({ command, options });
    const row = rows.find((r) => (typeof r.command === 'string' ? r.command === command : r.command.test(command)));
    if (!row) throw new Error(`the command table has no row for \`${command}\``);
    for (const line of (row.stdout ?? '').split('\n').filter(Boolean)) options.onLine?.('stdout', line);
    for (const line of (row.stderr ?? '').split('\n').filter(Boolean)) options.onLine?.('stderr', line);
    return {
      command,
      exitCode: row.missing || row.timedOut ? undefined : (row.exitCode ?? 0),
      stdout: row.stdout ?? '',
      stderr: row.stderr ?? '',
      missing: row.missing ?? false,
      timedOut: row.timedOut ?? false,
      aborted: false,
      durationMs: 1,
    };
  };
  return {
    calls,
    run: (file, args, options) => answer([file, ...args].join(' '), options),
    shell: (command, options) => answer(command, options),
  };
}
