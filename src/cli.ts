#!/usr/bin/env node
/** argv → command → mode (interactive | plain | json) → exit code. Nothing else. */
import { killLiveGroups } from './adapters/process-group.js';
import { HELP, parseCli, type CliArgs } from './commands/args.js';
import { checkCommand } from './commands/check.js';
import { drillCommand, headlessFrontEnd } from './commands/drill.js';
import { historyCommand } from './commands/history.js';
import { UsageError } from './core/errors.js';
import { PlanError } from './core/plan/errors.js';
import { TOOL_VERSION } from './version.js';

/** The wizard only on a real terminal, and never when asked for no questions or JSON. */
function interactive(args: CliArgs): boolean {
  return Boolean(process.stdout.isTTY && process.stdin.isTTY) && !args.yes && !args.json;
}

/** One AbortController for the whole drill: SIGINT, SIGTERM (and the wizard's Ctrl-C) abort it; a second SIGINT forces. */
function abortOnSignals(controller: AbortController): void {
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) {
      killLiveGroups();
      process.exit(130);
    }
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  if (args.command === 'check') return checkCommand(args);
  if (args.command === 'history') return historyCommand(args);
  const controller = new AbortController();
  abortOnSignals(controller);
  const wizard = interactive(args);
  if (!wizard && !args.tag && !args.yes && !args.dryRun) {
    throw new UsageError('no --tag given: pass --tag TAG, or --yes to restore the newest tag (no questions are asked without a terminal)');
  }
  const mode = args.command === 'setup' ? 'setup' : 'drill';
  // NO_COLOR (no-color.org) is honoured: Ink's colour library only knows FORCE_COLOR, read when it loads.
  if (wizard && process.env['NO_COLOR'] && process.env['FORCE_COLOR'] === undefined) process.env['FORCE_COLOR'] = '0';
  const frontEnd = wizard
    ? async (plan: import('./core/plan/types.js').Plan) => (await import('./ui/run.js')).wizardFrontEnd(plan, args, controller)
    : async () => headlessFrontEnd(args);
  return drillCommand({ args, mode, signal: controller.signal, frontEnd });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof PlanError || error instanceof UsageError) {
      process.stderr.write(`whisper-drill: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write('Run whisper-drill --help for usage.\n');
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`whisper-drill: ${(error as Error).stack ?? String(error)}\n`);
    killLiveGroups();
    process.exitCode = 1;
  },
);
