/** argv → a parsed command, by the one table of commands and flags (./spec.ts). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../model/errors.js';
import { COMMAND_SPECS, GLOBAL_FLAGS, commandSpec, flagUsage, type CommandName, type CommandSpec, type FlagSpec } from './spec.js';

export type { CommandName } from './spec.js';

export interface CliArgs {
  readonly command: CommandName | 'help' | 'version';
  /** help: the command whose help was asked for. */
  readonly helpFor?: CommandName;
  /** completion: the shell. */
  readonly shell?: string;
  readonly plan?: string;
  readonly tag?: string;
  /** drill: the cold archive to drill (a path or URL); demo: true, the sample's. */
  readonly archive?: string | true;
  readonly yes: boolean;
  readonly json: boolean;
  readonly reportDir?: string;
  readonly workdir?: string;
  readonly dir?: string;
  /** drill, setup, demo, check: where to write Prometheus textfile-collector metrics. */
  readonly metricsFile?: string;
  /** drill, setup, demo, check: who runs it and their notes, for the report. */
  readonly operator?: string;
  readonly notes?: string;
  /** schedule: quarterly, monthly or a systemd calendar expression. */
  readonly every?: string;
  /** schedule --install: write the units (into --unit-dir, default /etc/systemd/system). */
  readonly install?: boolean;
  readonly unitDir?: string;
  /** setup --systemd: a unit for the service instead of leaving it running. */
  readonly systemd?: boolean;
  /** history: one host's drills. */
  readonly host?: string;
  readonly keep: boolean;
  /** drill, setup: go on with a drill that was killed (latest, or its workspace DIR). */
  readonly resume?: string;
  readonly dryRun: boolean;
  readonly fix: boolean;
  /** check: write the node's environment.lock.yaml here. */
  readonly record?: string;
  /** check: compare the node with this tag's environment.lock.yaml. */
  readonly against?: string;
  /** audit: which tags (default: the plan's snapshot.tags). */
  readonly tags?: string;
  /** probe URL; init --url */
  readonly url?: string;
  /** init and probe: the variable holding the service's API key. */
  readonly apiKeyEnv?: string;
  readonly init?: InitFlags;
  /** snapshot: the live service folder, the commit's message, an SSH-signed tag. */
  readonly from?: string;
  readonly message?: string;
  readonly sign?: boolean;
  /** schedule: the backup job (snapshot) instead of a drill. */
  readonly snapshot?: boolean;
  /** history: also write the page here. */
  readonly html?: string;
}

/** What `init` can be told on its command line (headless: everything; the wizard: the defaults). */
export interface InitFlags {
  readonly repo?: string;
  readonly tags?: string;
  readonly install: readonly string[];
  readonly start?: string;
  readonly audio?: string;
  readonly expect?: string;
  readonly language?: string;
  readonly name?: string;
  readonly out?: string;
  readonly force: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parseOptions(flags: readonly FlagSpec[]): Options {
  return Object.fromEntries(
    flags.map((flag) => [
      flag.name,
      { type: flag.value ? 'string' : 'boolean', ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) },
    ]),
  ) as Options;
}

/** Every flag any command takes (for finding the command, and for naming a flag that belongs elsewhere). */
const ALL_FLAGS = new Map<string, FlagSpec>();
for (const flag of [...GLOBAL_FLAGS, ...COMMAND_SPECS.flatMap((spec) => spec.flags)]) if (!ALL_FLAGS.has(flag.name)) ALL_FLAGS.set(flag.name, flag);

/** Headless `init` writes a plan from flags alone: these it cannot guess. */
const INIT_NEEDS = ['repo', 'start', 'url'] as const;

/**
 * The command: the first word that is not a flag's value. Read leniently, with every flag of every
 * command, so that a flag's value is never taken for the command.
 */
function commandWord(argv: readonly string[]): string | undefined {
  const { tokens } = parseArgs({ args: [...argv], options: parseOptions([...ALL_FLAGS.values()]), allowPositionals: true, strict: false, tokens: true });
  const word = tokens.find((token) => token.kind === 'positional');
  return word?.kind === 'positional' ? word.value : undefined;
}

export function parseCli(argv: readonly string[]): CliArgs {
  const none = { yes: false, json: false, keep: false, dryRun: false, fix: false };
  const word = commandWord(argv);
  const spec: CommandSpec | undefined = word === undefined || word === 'help' ? commandSpec('drill') : commandSpec(word);
  if (!spec) throw usageError(`unknown command "${word}" (commands: ${COMMAND_SPECS.map((each) => each.name).join(', ')})`);
  const flags = [...GLOBAL_FLAGS, ...spec.flags];
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: parseOptions(flags), allowPositionals: true, strict: true });
  } catch (error) {
    const unknown = /^Unknown option '(--?[^']+)'/.exec((error as Error).message)?.[1];
    const elsewhere = unknown?.startsWith('--') ? ALL_FLAGS.get(unknown.slice(2)) : undefined;
    if (elsewhere && word !== 'help') {
      // demo is a drill of the shipped demo plan: what a drill takes and demo does not, drill of that plan does.
      const asDrill = spec.name === 'demo' && commandSpec('drill')!.flags.some((flag) => flag.name === elsewhere.name);
      throw usageError(`--${elsewhere.name} does not apply to "${spec.name}"`, asDrill ? `demo is a drill of the demo plan: whisper-drill drill --plan drills/demo.yaml --${elsewhere.name} (from the package's folder) takes it` : `whisper-drill ${spec.name} --help lists the flags it takes`);
    }
    throw usageError((error as Error).message.replace(/\. To specify a positional argument.*$/, ''));
  }
  const { values, positionals } = parsed as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  const [, ...rest] = positionals;
  if (word === 'help') {
    const about = rest[0];
    if (about !== undefined && !commandSpec(about)) throw usageError(`unknown command "${about}" (commands: ${COMMAND_SPECS.map((each) => each.name).join(', ')})`);
    return { command: 'help', ...(about ? { helpFor: about as CommandName } : {}), ...none };
  }
  if (values['help']) return { command: 'help', ...(word ? { helpFor: spec.name } : {}), ...none };
  if (values['version']) return { command: 'version', ...none };
  const command = spec.name;
  const [target, ...extra] = spec.argument ? rest : [undefined, ...rest];
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
  if (spec.argument && !target) throw usageError(`${command} needs ${spec.argument.label}: ${spec.argument.help}`);
  if (spec.argument?.choices && !spec.argument.choices.includes(target!)) {
    throw usageError(`${command} ${target}: not one of ${spec.argument.choices.join(', ')}`);
  }
  for (const flag of spec.flags) {
    // A resumed setup goes on in the killed one's --dir.
    if (flag.required !== undefined && values[flag.name] === undefined && !(flag.name === 'dir' && values['resume'] !== undefined)) {
      throw usageError(`${command} needs ${flagUsage(flag)}${flag.required ? `: ${flag.required}` : ''}`);
    }
  }
  const missing = INIT_NEEDS.filter((flag) => !values[flag]);
  if (command === 'init' && values['yes'] && missing.length > 0) {
    throw usageError(`init --yes writes the plan from flags alone: give ${missing.map((flag) => `--${flag}`).join(', ')}`);
  }
  return fromValues(command, values as Values, target);
}

interface Values {
  readonly [flag: string]: string | boolean | string[] | undefined;
}

function fromValues(command: CommandName, values: Values, target: string | undefined): CliArgs {
  const string = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const flag = (name: string) => values[name] === true;
  return {
    command,
    plan: string('plan'),
    tag: string('tag'),
    ...(string('archive') ? { archive: string('archive') } : flag('archive') ? { archive: true as const } : {}),
    yes: flag('yes'),
    json: flag('json'),
    reportDir: string('report-dir'),
    workdir: string('workdir'),
    dir: string('dir'),
    ...(string('host') ? { host: string('host') } : {}),
    ...(string('metrics-file') ? { metricsFile: string('metrics-file') } : {}),
    ...(string('every') ? { every: string('every') } : {}),
    ...(command === 'audit' && string('tags') ? { tags: string('tags') } : {}),
    ...(string('operator') ? { operator: string('operator') } : {}),
    ...(flag('systemd') ? { systemd: true } : {}),
    ...(string('notes') ? { notes: string('notes') } : {}),
    ...(string('unit-dir') ? { unitDir: string('unit-dir') } : {}),
    ...(command === 'schedule' ? { install: flag('install') } : {}),
    ...(command === 'completion' ? { shell: target } : {}),
    keep: flag('keep'),
    ...(string('resume') ? { resume: string('resume') } : {}),
    dryRun: flag('dry-run'),
    fix: flag('fix'),
    ...(string('record') ? { record: string('record') } : {}),
    ...(string('against') ? { against: string('against') } : {}),
    ...(command === 'probe' || string('url') ? { url: command === 'probe' ? target : string('url') } : {}),
    ...(string('api-key-env') ? { apiKeyEnv: string('api-key-env') } : {}),
    ...(string('from') ? { from: string('from') } : {}),
    ...(string('message') ? { message: string('message') } : {}),
    ...(flag('sign') ? { sign: true } : {}),
    ...(command === 'schedule' && flag('snapshot') ? { snapshot: true } : {}),
    ...(command === 'history' && string('html') ? { html: string('html') } : {}),
    ...(command === 'init'
      ? {
          init: {
            repo: string('repo'),
            tags: string('tags'),
            install: Array.isArray(values['install']) ? values['install'] : [],
            start: string('start'),
            audio: string('audio'),
            expect: string('expect'),
            language: string('language'),
            name: string('name'),
            out: string('out'),
            force: flag('force'),
          },
        }
      : {}),
  };
}

