/**
 * Every command and the flags it takes, in one table: the parser (./args.ts), the usage errors,
 * `--help` (./help.ts) and the shell completions (./completion.ts) are all made from it, so a flag
 * a command accepts is a flag its help lists and its completion offers.
 *
 * Node's own `util.parseArgs` parses (no dependency): commander and clipanion each bring their own
 * help layout and neither writes zsh and fish completions, which this table gives for a few lines.
 */
import { DEFAULT_PLAN } from './plan-file.js';

export type CommandName = 'drill' | 'setup' | 'check' | 'audit' | 'snapshot' | 'history' | 'demo' | 'init' | 'probe' | 'stop' | 'schedule' | 'completion';

/** What a value is, for completion: a path, a directory, or one of `choices`; anything else is free text. */
export type ValueKind = 'file' | 'dir' | 'text';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  /** The value the flag takes (its placeholder in help); none for a yes/no flag. */
  readonly value?: { readonly label: string; readonly kind: ValueKind; readonly choices?: readonly string[] };
  /** Given more than once, each value is kept (init --install). */
  readonly multiple?: boolean;
  /** The command cannot run without it: why, for the usage error ('' when the name says it). */
  readonly required?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: CommandName;
  /** What it does, as the general help lists it (lines of at most ~84 characters). */
  readonly summary: string;
  /** A positional argument (probe URL, completion SHELL). */
  readonly argument?: { readonly label: string; readonly help: string; readonly choices?: readonly string[] };
  readonly flags: readonly FlagSpec[];
  /** Its own exit codes, when they are not a drill's. */
  readonly exitCodes?: string;
}

const file = (label = 'FILE') => ({ label, kind: 'file' as const });
const dir = { label: 'DIR', kind: 'dir' as const };
const text = (label: string, choices?: readonly string[]) => ({ label, kind: 'text' as const, ...(choices ? { choices } : {}) });

const PLAN: FlagSpec = { name: 'plan', value: file(), help: `drill plan (YAML); default ${DEFAULT_PLAN}` };
const TAG: FlagSpec = { name: 'tag', value: text('TAG'), help: 'snapshot tag to restore; headless runs need it, or --yes for the newest' };
const YES: FlagSpec = { name: 'yes', short: 'y', help: 'no questions: take the defaults, plain output (no wizard)' };
const JSON_EVENTS: FlagSpec = { name: 'json', help: 'one JSON event per line on stdout (NDJSON)' };
const REPORT_DIR: FlagSpec = { name: 'report-dir', value: dir, help: "where reports go (default: the plan's report.dir)" };
const WORKDIR: FlagSpec = { name: 'workdir', value: dir, help: 'restore into DIR (new or empty) instead of a scratch directory' };
const KEEP: FlagSpec = { name: 'keep', help: 'keep the workspace after the drill' };
const RESUME: FlagSpec = { name: 'resume', value: text('latest|DIR'), help: "go on with a killed drill: the plan's latest, or the one in DIR (what it left is re-hashed)" };
const METRICS_FILE: FlagSpec = { name: 'metrics-file', value: file(), help: 'also write Prometheus metrics (node_exporter textfile collector)' };
const OPERATOR: FlagSpec = { name: 'operator', value: text('NAME'), help: 'who runs the drill, for the report (the wizard asks at the end)' };
const NOTES: FlagSpec = { name: 'notes', value: text('TEXT'), help: "the operator's notes, for the report" };
const ARCHIVE: FlagSpec = { name: 'archive', value: text('FILE|URL'), help: 'drill the cold tier: this tar.gz (a path or an http(s) URL) instead of a tag' };
const API_KEY_ENV: FlagSpec = { name: 'api-key-env', value: text('NAME'), help: "the variable holding the service's API key (sent as a Bearer token)" };

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: 'drill',
    summary: 'restore a tagged snapshot into a scratch workspace, prove it transcribes, time\nevery phase, save a report, tear everything down (the default command)',
    flags: [
      PLAN,
      TAG,
      ARCHIVE,
      YES,
      JSON_EVENTS,
      REPORT_DIR,
      WORKDIR,
      KEEP,
      RESUME,
      { name: 'dry-run', help: 'list the snapshot tags and check the environment; restore nothing' },
      METRICS_FILE,
      OPERATOR,
      NOTES,
    ],
  },
  {
    name: 'setup',
    summary: "the same into --dir, leaving the service running (a new node): its pid file\nand log in DIR/.whisper-drill/; again into the same DIR restores it anew",
    flags: [
      { ...PLAN, required: '' },
      { name: 'dir', value: dir, required: "where the new node's service will live", help: "the new node's service folder" },
      TAG,
      ARCHIVE,
      YES,
      JSON_EVENTS,
      REPORT_DIR,
      METRICS_FILE,
      OPERATOR,
      NOTES,
      { name: 'systemd', help: 'stop the verified service and write a systemd unit for it' },
      RESUME,
    ],
  },
  {
    name: 'check',
    summary:
      "only the environment checks of the plan (a report folder of its own);\n--fix installs missing tools (as root); --record FILE writes the node's\nenvironment.lock.yaml; --against TAG compares the node with that tag's lock;\nwith a backup: section, how the live node differs from the newest tag",
    flags: [
      PLAN,
      JSON_EVENTS,
      YES,
      { name: 'fix', help: 'install the missing tools (as root; asks first unless --yes)' },
      REPORT_DIR,
      { name: 'record', value: file(), help: "write this node's environment (environment.lock.yaml) to FILE" },
      { name: 'against', value: text('TAG'), help: "compare this node with TAG's environment.lock.yaml" },
      { name: 'from', value: dir, help: "the live service folder, for the backup's exposure (default: the plan's backup.from)" },
      METRICS_FILE,
      OPERATOR,
      NOTES,
    ],
  },
  {
    name: 'audit',
    summary: "is every tag of the backup restorable, without downloading it: each LFS object\nasked of the server (or the store) with its size, signatures checked; exit 1 when\nthe newest tag (or one the plan's audit.mustRestore names) is not",
    flags: [
      PLAN,
      { name: 'tags', value: text('GLOB'), help: "which tags to audit (default: the plan's snapshot.tags)" },
      { ...YES, help: 'plain output on a terminal too (no list to scroll)' },
      JSON_EVENTS,
      REPORT_DIR,
      { ...METRICS_FILE, help: 'also write the audit as Prometheus metrics (a gauge per tag; node_exporter textfile collector)' },
    ],
  },
  {
    name: 'snapshot',
    summary:
      "make the backup a drill restores: the plan's backup.files and models from the live\nservice folder, its environment lock (and wheels), committed by content hash,\npushed, every LFS object proven on the remote, then tagged (--dry-run: the diff)",
    flags: [
      PLAN,
      { name: 'from', value: dir, help: "the live service folder (default: the plan's backup.from)" },
      { ...TAG, help: "the new tag's name (default: the plan's backup.tagFormat)" },
      { name: 'message', value: text('TEXT'), help: "the commit's and the tag's message" },
      { name: 'sign', help: "SSH-sign the tag with git's user.signingkey" },
      { name: 'dry-run', help: 'show what would be committed against the newest tag (and the exposure); write nothing' },
      { ...YES, help: 'no questions: push without the review, plain output' },
      JSON_EVENTS,
      { name: 'archive', value: dir, help: 'write the cold tier instead: a tar.gz with its manifest, .sha256 (and .sig with --sign) into DIR' },
    ],
    exitCodes: 'Exit codes: 0 tagged and proven, nothing changed, or a dry run · 1 refused or failed (nothing tagged)\n            · 2 usage error or invalid plan · 130 interrupted',
  },
  {
    name: 'history',
    summary:
      "earlier drills of every plan and host under the report directory (or --plan's,\n--host's): verdicts, recovery time per phase and its trend, regressions,\nand the age of the last passing drill against the plan's policy",
    flags: [PLAN, { name: 'host', value: text('HOST'), help: "only this host's drills" }, REPORT_DIR, JSON_EVENTS, { name: 'html', value: file(), help: 'also write the history as a page (history.html): recovery over time, nodes, every drill linked' }],
  },
  {
    name: 'demo',
    summary: 'build the embedded sample backup (first use) and drill it',
    flags: [
      YES,
      JSON_EVENTS,
      REPORT_DIR,
      { ...TAG, help: "the sample's tag to restore (default: the newest)" },
      { name: 'archive', help: "drill the sample's cold archive (of v1.3) instead of a tag" },
      KEEP,
      WORKDIR,
      RESUME,
      METRICS_FILE,
      OPERATOR,
      NOTES,
    ],
  },
  {
    name: 'init',
    summary: "write a plan with the operator: lists the backup's tags, probes the running\nservice, takes the GPU expectations from this node (--yes: from flags alone)",
    flags: [
      { ...YES, help: 'write the plan from flags alone (needs --repo, --start and --url)' },
      { name: 'repo', value: text('URL'), help: 'the backup repository (https, ssh, a path, or builtin:NAME)' },
      { name: 'tags', value: text('GLOB'), help: 'which tags are snapshots (default: every tag)' },
      { name: 'install', value: text('CMD'), multiple: true, help: 'an install command of the service (repeat for each; default: a venv and pip install -r requirements.txt)' },
      { name: 'start', value: text('CMD'), help: 'the command that starts the service' },
      { name: 'url', value: text('URL'), help: "the running service's URL, to probe" },
      API_KEY_ENV,
      { name: 'audio', value: file(), help: 'the sample audio the assertion sends' },
      { name: 'expect', value: text('TEXT'), help: 'the transcript the audio must give' },
      { name: 'language', value: text('LANG'), help: "the audio's language" },
      { name: 'name', value: text('NAME'), help: "the plan's name" },
      { name: 'out', value: file(), help: 'the plan to write (default drills/NAME.yaml)' },
      REPORT_DIR,
      { name: 'force', help: 'overwrite the plan --out names' },
    ],
  },
  {
    name: 'probe',
    summary: 'which API a running service speaks, its version and endpoint',
    argument: { label: 'URL', help: "the service's URL, e.g. http://127.0.0.1:7860" },
    flags: [API_KEY_ENV, JSON_EVENTS],
  },
  {
    name: 'stop',
    summary: 'stop the service setup left running in --dir (process group, TERM then KILL)',
    flags: [{ name: 'dir', value: dir, required: 'the directory setup restored into', help: 'the directory setup restored into' }],
  },
  {
    name: 'schedule',
    summary: 'the systemd service + timer (and a cron line) that drill the plan on a\ncalendar, or snapshot it (--snapshot); --install writes them (default\n/etc/systemd/system)',
    flags: [
      { ...PLAN, required: 'the plan to drill' },
      {
        name: 'every',
        value: text('quarterly|monthly|nightly|CALENDAR', ['quarterly', 'monthly', 'nightly']),
        required: 'quarterly, monthly, nightly or a systemd calendar expression (e.g. "Mon *-*-1..7 02:00")',
        help: 'when: quarterly, monthly, nightly or a systemd calendar expression',
      },
      { name: 'snapshot', help: "the backup job instead of a drill: the timer runs whisper-drill snapshot (the plan's backup: section)" },
      { name: 'install', help: "write the units (systemctl runs only for the system's own unit directory)" },
      { name: 'unit-dir', value: dir, help: 'where --install writes the units (default /etc/systemd/system)' },
      REPORT_DIR,
      METRICS_FILE,
    ],
  },
  {
    name: 'completion',
    summary: 'print the shell completion script for bash, zsh or fish (docs/completion.md)',
    argument: { label: 'SHELL', help: 'bash, zsh or fish', choices: ['bash', 'zsh', 'fish'] },
    flags: [],
  },
];

/** Asked for anywhere on the command line, these answer instead of the command. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'help', short: 'h', help: "this help, or a command's (whisper-drill drill --help)" },
  { name: 'version', short: 'V', help: "the tool's version" },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMAND_SPECS.find((spec) => spec.name === name);
}

/** The flag's placeholder as help and errors write it: `--dir DIR`, `--yes`. */
export function flagUsage(flag: FlagSpec): string {
  return `--${flag.name}${flag.value ? ` ${flag.value.label}` : ''}`;
}
