/** argv → a parsed command. Node's own parseArgs is enough for this flag set (no dependency needed). */
import { parseArgs } from 'node:util';
import { usageError } from '../model/errors.js';

export type CommandName = 'drill' | 'setup' | 'check' | 'history' | 'demo' | 'init' | 'probe' | 'stop' | 'schedule' | 'help' | 'version';

export interface CliArgs {
  readonly command: CommandName;
  readonly plan?: string;
  readonly tag?: string;
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
  readonly dryRun: boolean;
  readonly fix: boolean;
  /** check: write the node's environment.lock.yaml here. */
  readonly record?: string;
  /** check: compare the node with this tag's environment.lock.yaml. */
  readonly against?: string;
  /** probe URL; init --url */
  readonly url?: string;
  /** init and probe: the variable holding the service's API key. */
  readonly apiKeyEnv?: string;
  readonly init?: InitFlags;
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

const COMMANDS = new Set(['drill', 'setup', 'check', 'history', 'demo', 'init', 'probe', 'stop', 'schedule']);

const OPTIONS = {
  plan: { type: 'string' },
  tag: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  json: { type: 'boolean', default: false },
  'report-dir': { type: 'string' },
  workdir: { type: 'string' },
  dir: { type: 'string' },
  host: { type: 'string' },
  'metrics-file': { type: 'string' },
  every: { type: 'string' },
  operator: { type: 'string' },
  systemd: { type: 'boolean', default: false },
  notes: { type: 'string' },
  'unit-dir': { type: 'string' },
  keep: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  fix: { type: 'boolean', default: false },
  record: { type: 'string' },
  against: { type: 'string' },
  repo: { type: 'string' },
  tags: { type: 'string' },
  install: { type: 'string', multiple: true },
  start: { type: 'string' },
  url: { type: 'string' },
  audio: { type: 'string' },
  expect: { type: 'string' },
  language: { type: 'string' },
  name: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean', default: false },
  'api-key-env': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

/** Which flags each command takes: any other is a usage error that names it. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  drill: ['plan', 'tag', 'yes', 'json', 'report-dir', 'workdir', 'keep', 'dry-run', 'metrics-file', 'operator', 'notes'],
  setup: ['plan', 'dir', 'tag', 'yes', 'json', 'report-dir', 'metrics-file', 'operator', 'notes', 'systemd'],
  check: ['plan', 'json', 'fix', 'yes', 'report-dir', 'record', 'against', 'metrics-file', 'operator', 'notes'],
  history: ['plan', 'report-dir', 'json', 'host'],
  demo: ['yes', 'json', 'report-dir', 'tag', 'keep', 'workdir', 'metrics-file', 'operator', 'notes'],
  init: ['yes', 'repo', 'tags', 'install', 'start', 'url', 'api-key-env', 'audio', 'expect', 'language', 'name', 'out', 'report-dir', 'force'],
  probe: ['json', 'api-key-env'],
  stop: ['dir'],
  schedule: ['plan', 'every', 'install', 'unit-dir', 'report-dir', 'metrics-file'],
};

/** Headless `init` writes a plan from flags alone: these it cannot guess. */
const INIT_NEEDS = ['repo', 'start', 'url'] as const;

/** `schedule --install` is a yes/no (write the units); `init --install CMD` takes commands. */
const SCHEDULE_OPTIONS = { ...OPTIONS, install: { type: 'boolean', default: false } } as const;

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  // The command comes first; its flags after it.
  const scheduling = argv.find((arg) => !arg.startsWith('-')) === 'schedule';
  try {
    parsed = parseArgs({ args: [...argv], options: scheduling ? SCHEDULE_OPTIONS : OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', yes: false, json: false, keep: false, dryRun: false, fix: false };
  if (values.version) return { command: 'version', yes: false, json: false, keep: false, dryRun: false, fix: false };
  const [first, ...rest] = positionals;
  if (first !== undefined && !COMMANDS.has(first)) throw usageError(`unknown command "${first}" (commands: ${[...COMMANDS].join(', ')})`);
  const command = (first ?? 'drill') as CommandName;
  // probe takes the service URL as its argument; no other command takes one.
  const [target, ...extra] = command === 'probe' ? rest : [undefined, ...rest];
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
  if (command === 'probe' && !target) throw usageError('probe needs the service URL: whisper-drill probe http://127.0.0.1:7860');
  for (const [flag, value] of Object.entries(values)) {
    const given = value !== undefined && value !== false && flag !== 'help' && flag !== 'version';
    if (given && !ALLOWED[command]!.includes(flag)) throw usageError(`--${flag} does not apply to "${command}"`);
  }
  if (command === 'setup' && !values.dir) throw usageError('setup needs --dir DIR: where the new node\'s service will live');
  if (command === 'setup' && !values.plan) throw usageError('setup needs --plan FILE');
  if (command === 'stop' && !values.dir) throw usageError('stop needs --dir DIR: the directory setup restored into');
  const missing = INIT_NEEDS.filter((flag) => !values[flag]);
  if (command === 'init' && values.yes && missing.length > 0) {
    throw usageError(`init --yes writes the plan from flags alone: give ${missing.map((flag) => `--${flag}`).join(', ')}`);
  }
  return {
    command,
    plan: values.plan,
    tag: values.tag,
    yes: values.yes ?? false,
    json: values.json ?? false,
    reportDir: values['report-dir'],
    workdir: values.workdir,
    dir: values.dir,
    ...(values.host ? { host: values.host } : {}),
    ...(values['metrics-file'] ? { metricsFile: values['metrics-file'] } : {}),
    ...(values.every ? { every: values.every } : {}),
    ...(values.operator ? { operator: values.operator } : {}),
    ...(values.systemd ? { systemd: true } : {}),
    ...(values.notes ? { notes: values.notes } : {}),
    ...(values['unit-dir'] ? { unitDir: values['unit-dir'] } : {}),
    ...(command === 'schedule' ? { install: values.install === true } : {}),
    keep: values.keep ?? false,
    dryRun: values['dry-run'] ?? false,
    fix: values.fix ?? false,
    ...(values.record ? { record: values.record } : {}),
    ...(values.against ? { against: values.against } : {}),
    ...(target ?? values.url ? { url: target ?? values.url } : {}),
    ...(values['api-key-env'] ? { apiKeyEnv: values['api-key-env'] } : {}),
    ...(command === 'init'
      ? {
          init: {
            repo: values.repo,
            tags: values.tags,
            install: Array.isArray(values.install) ? values.install : [],
            start: values.start,
            audio: values.audio,
            expect: values.expect,
            language: values.language,
            name: values.name,
            out: values.out,
            force: values.force ?? false,
          },
        }
      : {}),
  };
}

export const HELP = `whisper-drill — restore drills for a Whisper service backed up in Git LFS

Usage:
  whisper-drill [drill] [--plan FILE] [--tag TAG] [--yes] [--json] [--report-dir DIR]
                        [--workdir DIR] [--keep] [--dry-run] [--metrics-file FILE]
                        [--operator NAME] [--notes TEXT]
  whisper-drill setup   --plan FILE --dir DIR [--tag TAG] [--yes] [--json] [--metrics-file FILE]
                        [--systemd]
  whisper-drill check   [--plan FILE] [--json] [--yes] [--fix] [--report-dir DIR] [--metrics-file FILE]
                        [--record FILE] [--against TAG]
  whisper-drill history [--plan FILE] [--host HOST] [--report-dir DIR] [--json]
  whisper-drill demo    [--yes] [--json] [--report-dir DIR] [--tag TAG] [--metrics-file FILE]
  whisper-drill init    [--yes] [--repo URL] [--tags GLOB] [--install CMD]... [--start CMD]
                        [--url URL] [--api-key-env NAME] [--audio FILE] [--expect TEXT]
                        [--language LANG] [--name NAME] [--out FILE] [--report-dir DIR] [--force]
  whisper-drill probe   URL [--api-key-env NAME] [--json]
  whisper-drill stop    --dir DIR
  whisper-drill schedule --plan FILE --every quarterly|monthly|CALENDAR [--install]
                        [--unit-dir DIR] [--report-dir DIR] [--metrics-file FILE]
  whisper-drill --help | --version

Commands:
  drill    restore a tagged snapshot into a scratch workspace, prove it transcribes, time
           every phase, save a report, tear everything down (the default command)
  setup    the same into --dir, leaving the service running (a new node): its pid file
           and log in DIR/.whisper-drill/; again into the same DIR restores it anew
  schedule the systemd service + timer (and a cron line) that drill the plan on a
           calendar; --install writes them (default /etc/systemd/system)
  stop     stop the service setup left running in --dir (process group, TERM then KILL)
  check    only the environment checks of the plan (a report folder of its own);
           --fix installs missing tools (as root); --record FILE writes the node's
           environment.lock.yaml; --against TAG compares the node with that tag's lock
  history  earlier drills of every plan and host under the report directory (or --plan's,
           --host's): verdicts, recovery time per phase and its trend, regressions,
           and the age of the last passing drill against the plan's policy
  demo     build the embedded sample backup (first use) and drill it
  init     write a plan with the operator: lists the backup's tags, probes the running
           service, takes the GPU expectations from this node (--yes: from flags alone)
  probe    which API a running service speaks, its version and endpoint

Options:
  --plan FILE        drill plan (YAML); default drills/whisper-large-v3.yaml
  --tag TAG          snapshot tag to restore; headless runs need it, or --yes for the newest
  --yes, -y          no questions: take the defaults, plain output (no wizard)
  --json             one JSON event per line on stdout (NDJSON)
  --report-dir DIR   where reports go (default: the plan's report.dir)
  --workdir DIR      restore into DIR (new or empty) instead of a scratch directory
  --keep             keep the workspace after the drill
  --metrics-file FILE  also write Prometheus metrics (node_exporter textfile collector)
  --systemd          setup: stop the verified service and write a systemd unit for it
  --operator NAME    who runs the drill, for the report (the wizard asks at the end)
  --notes TEXT       the operator's notes, for the report
  --dry-run          list the snapshot tags and check the environment; restore nothing
  --record FILE      check: write this node's environment (environment.lock.yaml) to FILE
  --against TAG      check: compare this node with TAG's environment.lock.yaml
  --api-key-env NAME the variable holding the service's API key (sent as a Bearer token)
  --out FILE         init: the plan to write (default drills/NAME.yaml); --force overwrites

Exit codes: 0 passed · 1 failed · 2 usage error or invalid plan · 3 inconclusive · 130 interrupted

Read on (in the package's docs/ folder): what-a-pass-proves.md, plan.md, remotes.md, report.md, events.md,
gpu-nodes.md, drift.md, history.md, metrics.md, schedules.md, fleet.md, wizard.md, known-limits.md
`;
