/**
 * `whisper-drill completion bash|zsh|fish`: the completion script, written from the table of
 * commands and flags (./spec.ts). Each completes the commands, each command's own flags, files
 * and directories where a flag takes one, and the choices of `--every` and `completion`.
 */
import { COMMAND_SPECS, GLOBAL_FLAGS, type CommandSpec, type FlagSpec } from './spec.js';

const NAMES = COMMAND_SPECS.map((spec) => spec.name);
/** Every flag that takes a value, in any command: the word after it is that value. */
const VALUE_FLAGS = [...new Set(COMMAND_SPECS.flatMap((spec) => spec.flags.filter((flag) => flag.value).map((flag) => `--${flag.name}`)))];

/** The flags a command's completion offers: its own and --help. */
function flagsOf(spec: CommandSpec): FlagSpec[] {
  return [...spec.flags, GLOBAL_FLAGS.find((flag) => flag.name === 'help')!];
}

/** Text inside single quotes, for any of the three shells. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

function bash(): string {
  const cases = COMMAND_SPECS.map((spec) => {
    const values = spec.flags.filter((flag) => flag.value);
    const byKind = (kind: string) => values.filter((flag) => flag.value!.kind === kind && !flag.value!.choices).map((flag) => `--${flag.name}`);
    const lines = [`    ${spec.name})`, '      case "$prev" in'];
    // One name a line (mapfile), so that a name with spaces stays one candidate.
    if (byKind('file').length > 0) lines.push(`        ${byKind('file').join('|')}) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); compopt -o filenames 2>/dev/null; return ;;`);
    if (byKind('dir').length > 0) lines.push(`        ${byKind('dir').join('|')}) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); compopt -o filenames 2>/dev/null; return ;;`);
    for (const flag of values.filter((each) => each.value!.choices)) lines.push(`        --${flag.name}) COMPREPLY=($(compgen -W ${quoted(flag.value!.choices!.join(' '))} -- "$cur")); return ;;`);
    if (byKind('text').length > 0) lines.push(`        ${byKind('text').join('|')}) COMPREPLY=(); return ;;`);
    lines.push('      esac');
    const words = flagsOf(spec).map((flag) => `--${flag.name}`).join(' ');
    const argument = spec.argument?.choices ? `[[ $cur != -* ]] && { COMPREPLY=($(compgen -W ${quoted(spec.argument.choices.join(' '))} -- "$cur")); return; }; ` : '';
    const commands = spec.name === 'drill' ? `[[ -z $cmd && $cur != -* ]] && { COMPREPLY=($(compgen -W ${quoted(NAMES.join(' '))} -- "$cur")); return; }; ` : '';
    lines.push(`      ${commands}${argument}COMPREPLY=($(compgen -W ${quoted(words)} -- "$cur")) ;;`);
    return lines.join('\n');
  });
  return `# whisper-drill completion for bash: source it, or save it as /etc/bash_completion.d/whisper-drill
_whisper_drill() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  # The command is the first command name that is not a flag's value (\`--tag stop\` names a tag).
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i-1]}" in ${VALUE_FLAGS.join('|')}) continue ;; esac
    case "\${COMP_WORDS[i]}" in ${NAMES.join('|')}) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "\${cmd:-drill}" in
${cases.join('\n')}
  esac
}
complete -F _whisper_drill whisper-drill
`;
}

function zsh(): string {
  const describe = (text: string) => text.replace(/[[\]:\\]/g, '\\$&');
  const spec = (flag: FlagSpec): string => {
    const action = !flag.value
      ? ''
      : flag.value.choices
        ? `:${describe(flag.value.label)}:(${flag.value.choices.join(' ')})`
        : `:${describe(flag.value.label)}:${flag.value.kind === 'file' ? '_files' : flag.value.kind === 'dir' ? '_files -/' : ' '}`;
    return quoted(`${flag.multiple ? '*' : ''}--${flag.name}[${describe(flag.help)}]${action}`);
  };
  const cases = COMMAND_SPECS.map((command) => {
    const argument = command.argument ? ` ${quoted(`1:${describe(command.argument.label)}:${command.argument.choices ? `(${command.argument.choices.join(' ')})` : ' '}`)}` : '';
    return `    (${command.name}) _arguments -s ${flagsOf(command).map(spec).join(' ')}${argument} ;;`;
  });
  const commands = COMMAND_SPECS.map((command) => quoted(`${command.name}:${firstLine(command.summary).replace(/:/g, '\\:')}`)).join(' ');
  return `#compdef whisper-drill
# whisper-drill completion for zsh: save it as _whisper-drill in a folder of $fpath, or source it after compinit
_whisper_drill() {
  local cmd="" word
  for word in \${words[2,CURRENT-1]}; do
    case $word in (${NAMES.join('|')}) cmd=$word; break ;; esac
  done
  if [[ -z $cmd && $PREFIX != -* ]]; then
    local -a commands=(${commands})
    _describe -t commands 'whisper-drill command' commands
    return
  fi
  [[ -n $cmd ]] && { shift words; (( CURRENT-- )); }
  case \${cmd:-drill} in
${cases.join('\n')}
  esac
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _whisper_drill "$@"; else compdef _whisper_drill whisper-drill; fi
`;
}

function fish(): string {
  const lines = [
    '# whisper-drill completion for fish: save it as ~/.config/fish/completions/whisper-drill.fish',
    'complete -c whisper-drill -f',
  ];
  for (const command of COMMAND_SPECS) {
    lines.push(`complete -c whisper-drill -n 'not __fish_seen_subcommand_from ${NAMES.join(' ')}' -a ${command.name} -d ${quoted(firstLine(command.summary))}`);
    // The default command's flags apply before any command is named too.
    const when = command.name === 'drill' ? `'__fish_seen_subcommand_from drill; or not __fish_seen_subcommand_from ${NAMES.join(' ')}'` : `'__fish_seen_subcommand_from ${command.name}'`;
    if (command.argument?.choices) lines.push(`complete -c whisper-drill -n ${when} -a ${quoted(command.argument.choices.join(' '))}`);
    for (const flag of flagsOf(command)) {
      const value = !flag.value ? '' : flag.value.choices ? ` -x -a ${quoted(flag.value.choices.join(' '))}` : flag.value.kind === 'file' ? ' -r -F' : flag.value.kind === 'dir' ? ` -x -a '(__fish_complete_directories)'` : ' -x';
      lines.push(`complete -c whisper-drill -n ${when} -l ${flag.name}${flag.short ? ` -s ${flag.short}` : ''}${value} -d ${quoted(firstLine(flag.help))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const SHELLS = { bash, zsh, fish } as const;

export function completionScript(shell: string): string {
  const write = SHELLS[shell as keyof typeof SHELLS];
  if (!write) throw new Error(`no completion for ${shell}`);
  return write();
}
