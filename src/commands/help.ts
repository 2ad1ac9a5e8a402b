/** `--help` and `CMD --help`, written from the table of commands and flags (./spec.ts). */
import { COMMAND_SPECS, GLOBAL_FLAGS, commandSpec, flagUsage, type CommandName, type CommandSpec, type FlagSpec } from './spec.js';

const WIDTH = 100;
const EXIT_CODES = 'Exit codes: 0 passed · 1 failed · 2 usage error or invalid plan · 3 inconclusive · 130 interrupted';
const READ_ON = [
  "Read on (in the package's docs/ folder): what-a-pass-proves.md, plan.md, remotes.md, audit.md, report.md,",
  'events.md, gpu-nodes.md, drift.md, history.md, metrics.md, schedules.md, fleet.md, wizard.md, completion.md,',
  'known-limits.md',
];

/** One command's usage: `whisper-drill setup --plan FILE --dir DIR [--tag TAG] …`, wrapped under its name. */
export function usageLines(spec: CommandSpec): string[] {
  const head = `  whisper-drill ${spec.name === 'drill' ? '[drill]' : spec.name}`;
  const words = [
    ...(spec.argument ? [spec.argument.label] : []),
    ...spec.flags.filter((flag) => flag.required !== undefined).map(flagUsage),
    ...spec.flags.filter((flag) => flag.required === undefined).map((flag) => `[${flagUsage(flag)}]${flag.multiple ? '...' : ''}`),
  ];
  const indent = ' '.repeat(head.length + 1);
  const lines: string[] = [];
  let line = head;
  for (const word of words) {
    if (line.length + 1 + word.length > WIDTH && line !== head && line !== indent) {
      lines.push(line);
      line = indent.slice(0, -1);
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** A flag a line, its help in a column (a long placeholder puts the help on the line below). */
function flagLines(flags: readonly FlagSpec[], prefix = (_flag: FlagSpec) => ''): string[] {
  const labels = flags.map((flag) => `${flagUsage(flag)}${flag.short ? `, -${flag.short}` : ''}`);
  const column = Math.min(22, Math.max(...labels.map((label) => label.length))) + 2;
  return flags.flatMap((flag, index) => {
    const label = labels[index]!;
    const help = wrap(`${prefix(flag)}${flag.help}`, WIDTH - column - 3).map((line) => `${' '.repeat(column + 3)}${line}`);
    if (label.length <= column) help[0] = `  ${label.padEnd(column)} ${help[0]!.trimStart()}`;
    else help.unshift(`  ${label}`);
    return help;
  });
}

/** The general help: every command's usage, what each does, every flag once. */
export function generalHelp(): string {
  const name = Math.max(...COMMAND_SPECS.map((spec) => spec.name.length)) + 2;
  const commands = COMMAND_SPECS.flatMap((spec) =>
    spec.summary.split('\n').map((line, index) => `  ${(index === 0 ? spec.name : '').padEnd(name)} ${line}`),
  );
  // A flag that means something else to another command is listed for each, named by its commands.
  const seen = new Map<string, { flag: FlagSpec; commands: CommandName[] }>();
  for (const spec of COMMAND_SPECS) {
    for (const flag of spec.flags) {
      const key = `${flag.name}\n${flag.help}`;
      const entry = seen.get(key) ?? { flag, commands: [] };
      entry.commands.push(spec.name);
      seen.set(key, entry);
    }
  }
  const entries = [...seen.values()];
  const shared = (flag: FlagSpec) => entries.filter((entry) => entry.flag.name === flag.name).length > 1;
  const options = flagLines(
    [...entries.map((entry) => entry.flag), ...GLOBAL_FLAGS],
    (flag) => (shared(flag) ? `${entries.find((entry) => entry.flag === flag)!.commands.join(', ')}: ` : ''),
  );
  return [
    'whisper-drill — restore drills for a Whisper service backed up in Git LFS',
    '',
    'Usage:',
    ...COMMAND_SPECS.flatMap(usageLines),
    '  whisper-drill help [COMMAND] | COMMAND --help | --version',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...options,
    '',
    EXIT_CODES,
    '',
    ...READ_ON,
    '',
  ].join('\n');
}

/** One command's help: its usage, what it does, its flags. */
export function commandHelp(name: CommandName): string {
  const spec = commandSpec(name)!;
  return [
    'Usage:',
    ...usageLines(spec),
    '',
    ...spec.summary.split('\n').map((line) => `  ${line}`),
    '',
    ...(spec.argument ? [`  ${spec.argument.label}  ${spec.argument.help}`, ''] : []),
    ...(spec.flags.length > 0 ? ['Options:', ...flagLines(spec.flags), ''] : []),
    spec.exitCodes ?? EXIT_CODES,
    '',
  ].join('\n');
}
