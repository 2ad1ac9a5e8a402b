#!/usr/bin/env node
/** argv → command → mode (interactive | plain | json) → exit code. Nothing else. */
/*
 * The commands are imported on demand: on a terminal the wizard's first frame is drawn while the
 * drill's modules are still loading.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { killForForcedExit, killLiveGroups } from './adapters/process-group.js';
import { parseCli, type CliArgs } from './commands/args.js';
import { commandHelp, generalHelp } from './commands/help.js';
import { DEFAULT_PLAN, planFileOf } from './commands/plan-file.js';
import { DrillError, usageError } from './model/errors.js';
import type { FrontEnd } from './model/ports.js';
import type { Mode } from './model/record.js';
import type { ChooseToDrill } from './commands/audit.js';
import { PlanError } from './plan/errors.js';
import { TOOL_VERSION } from './version.js';

/** The wizard only on a real terminal, and never when asked for no questions or JSON. */
function interactive(args: CliArgs): boolean {
  return Boolean(process.stdout.isTTY && process.stdin.isTTY) && !args.yes && !args.json;
}

/**
 * One AbortController for the whole drill: SIGINT, SIGTERM, SIGHUP (a closed terminal) and the
 * wizard's Ctrl-C abort it — teardown and the report still run; a second signal forces.
 */
function abortOnSignals(controller: AbortController): void {
  // With the terminal gone, writes fail (EIO, EPIPE): there is no one to show them to, and the
  // teardown must not die of it.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EIO' && error.code !== 'EPIPE') throw error;
    });
  }
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) forceExit();
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.command === 'help') {
    process.stdout.write(args.helpFor ? commandHelp(args.helpFor) : generalHelp());
    return 0;
  }
  if (args.command === 'completion') {
    process.stdout.write((await import('./commands/completion.js')).completionScript(args.shell!));
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  if (args.command === 'history') return (await import('./commands/history.js')).historyCommand(args);
  if (args.command === 'schedule') return (await import('./commands/schedule.js')).scheduleCommand(args);
  if (args.command === 'stop') return (await import('./commands/stop.js')).stopCommand(args);
  const controller = new AbortController();
  abortOnSignals(controller);
  if (args.command === 'probe') return (await import('./commands/probe.js')).probeCommand(args, controller.signal);
  if (args.command === 'init') {
    if (!interactive(args)) {
      if (!args.yes) throw usageError('init without a terminal writes the plan from flags: pass --yes with --repo, --start and --url');
      return (await import('./commands/init.js')).initHeadless(args, controller.signal);
    }
    const [ui, init, keys] = await Promise.all([import('./ui/init/run.js'), import('./commands/init.js'), import('./commands/api-key.js')]);
    return ui.runInitWizard({
      session: init.makeInitSession(controller.signal),
      defaults: init.answersFromFlags(args),
      readKey: (name) => keys.apiKeyFrom(name, 'the API key variable'),
      force: args.init?.force ?? false,
    });
  }
  if (args.command === 'snapshot') {
    const ui = interactive(args) ? await import('./ui/snapshot/run.js') : undefined;
    const wizard = ui ? () => ui.snapshotWizard(() => controller.abort(new Error('interrupted by Ctrl-C'))) : undefined;
    return (await import('./commands/snapshot.js')).snapshotCommand(args, controller.signal, wizard);
  }
  if (args.command === 'audit') {
    const choose: ChooseToDrill | undefined = interactive(args)
      ? async (result, mustRestore) => (await import('./ui/audit/run.js')).runAuditList({ result, mustRestore })
      : undefined;
    const audit = await (await import('./commands/audit.js')).auditCommand(args, controller.signal, choose);
    if (audit.drill === undefined) return audit.exitCode;
    // Enter on a tag: that tag's drill, in the same terminal (the audit's metrics file is the audit's alone).
    const { metricsFile: _auditMetrics, tags: _auditTags, ...drillArgs } = args;
    return drillFlow({ ...drillArgs, command: 'drill', tag: audit.drill }, controller);
  }
  return drillFlow(args, controller);
}

/** drill, setup, check and demo: the wizard on a terminal, else plain or NDJSON; the engine behind either. */
async function drillFlow(args: CliArgs, controller: AbortController): Promise<number> {
  const wizard = interactive(args);
  const mode: Mode = args.command === 'setup' ? 'setup' : args.command === 'check' ? 'check' : 'drill';
  // Every choice is known before the first step: a headless run never stops half-way for a question.
  if (args.tag && args.archive) throw usageError('--tag and --archive: a drill restores one or the other (a tag of the hot tier, or a cold archive)');
  // A plan that is not there is the first thing to say (before what else the run lacks).
  if (!wizard && !existsSync(planFileOf(args))) throw usageError(`cannot read plan file ${planFileOf(args)}: no such file`, args.plan ? undefined : `pass --plan FILE (the default is ${DEFAULT_PLAN}, here)`);
  // A resumed drill restores the tag the killed one chose (drillCommand asks for one only if it had none).
  if (!wizard && mode !== 'check' && !args.tag && !args.archive && !args.yes && !args.dryRun && !args.resume) {
    throw usageError('no --tag given: pass --tag TAG, or --yes to restore the newest tag (no questions are asked without a terminal)');
  }
  // NO_COLOR (no-color.org) is honoured: Ink's colour library only knows FORCE_COLOR, read when it loads.
  if (wizard && process.env['NO_COLOR'] && process.env['FORCE_COLOR'] === undefined) process.env['FORCE_COLOR'] = '0';
  // The first frame first; the drill's modules load behind it.
  const wizardFace: FrontEnd | undefined = wizard
    ? await import('./ui/run.js').then((ui) => ui.wizardFrontEnd(planLabel(args), mode, controller, forceExit))
    : undefined;
  const { drillCommand, headlessFrontEnd } = await import('./commands/drill.js');
  try {
    return await drillCommand({ args, mode, signal: controller.signal, headless: !wizard, frontEnd: async () => wizardFace ?? headlessFrontEnd(args) });
  } catch (error) {
    // A bad plan is found after the wizard is up: take it down before the error is printed.
    await wizardFace?.done(false);
    throw error;
  }
}

/** A second Ctrl-C while aborting: kill what runs, and go. */
function forceExit(): never {
  killForForcedExit();
  process.exit(130);
}

/** What the wizard shows until the plan is loaded: the plan file's name. */
function planLabel(args: CliArgs): string {
  if (args.command === 'demo') return 'demo';
  return path.basename(args.plan ?? 'whisper-large-v3.yaml').replace(/\.ya?ml$/, '');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is said and saved by now: nothing left open (a keep-alive socket, a stream a library
    // holds) may keep the operator waiting at a prompt that has already said goodbye.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    if (error instanceof DrillError && error.usage) {
      process.stderr.write(`whisper-drill: ${error.message}\n`);
      if (error.hint) process.stderr.write(`${error.hint}\n`);
      // A plan error names the file, line and column: --help would not help with that.
      if (!(error instanceof PlanError)) process.stderr.write('Run whisper-drill --help for usage.\n');
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`whisper-drill: ${(error as Error).stack ?? String(error)}\n`);
    killLiveGroups();
    process.exitCode = 1;
  },
);
