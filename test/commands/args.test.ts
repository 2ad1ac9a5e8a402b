/** argv → CliArgs by the one table (src/commands/spec.ts), and the help written from it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/commands/args.js';
import { commandHelp, generalHelp } from '../../src/commands/help.js';
import { COMMAND_SPECS } from '../../src/commands/spec.js';
import { DrillError } from '../../src/model/errors.js';
import { repoRoot } from '../helpers/cli.js';

function usage(argv: readonly string[]): string {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(DrillError);
    expect((error as DrillError).usage).toBe(true);
    return (error as DrillError).message;
  }
  throw new Error(`${argv.join(' ')} parsed`);
}

describe('parseCli', () => {
  it('takes the command from the first word, drill by default, and each flag its value', () => {
    expect(parseCli(['--plan', 'p.yaml', '--tag', 'v1', '--keep'])).toMatchObject({ command: 'drill', plan: 'p.yaml', tag: 'v1', keep: true });
    // A flag's value is never taken for the command
    expect(parseCli(['--plan', 'setup', '--yes'])).toMatchObject({ command: 'drill', plan: 'setup', yes: true });
    expect(parseCli(['setup', '--plan', 'p', '--dir', 'd', '--systemd'])).toMatchObject({ command: 'setup', dir: 'd', systemd: true });
    expect(parseCli(['schedule', '--plan', 'p', '--every', 'monthly', '--install'])).toMatchObject({ command: 'schedule', every: 'monthly', install: true });
    expect(parseCli(['init', '--install', 'a', '--install', 'b'])).toMatchObject({ command: 'init', init: { install: ['a', 'b'] } });
    expect(parseCli(['probe', 'http://127.0.0.1:1'])).toMatchObject({ command: 'probe', url: 'http://127.0.0.1:1' });
    expect(parseCli(['completion', 'zsh'])).toMatchObject({ command: 'completion', shell: 'zsh' });
    // A resumed setup goes on in the killed one's folder: --dir is not needed.
    expect(parseCli(['setup', '--plan', 'p', '--resume', 'latest'])).toMatchObject({ command: 'setup', resume: 'latest' });
    expect(parseCli(['--resume', '/srv/restore'])).toMatchObject({ command: 'drill', resume: '/srv/restore' });
  });

  it('names what is wrong: a flag of another command, an unknown one, a missing one, a bad argument', () => {
    expect(usage(['check', '--tag', 'v1'])).toBe('--tag does not apply to "check"');
    expect(usage(['check', '--resume', 'latest'])).toBe('--resume does not apply to "check"');
    // demo is a drill of the demo plan: a drill's flag it does not take is pointed there.
    const demoDry = (() => { try { parseCli(['demo', '--dry-run']); } catch (error) { return error as DrillError; } })();
    expect(demoDry?.message).toBe('--dry-run does not apply to "demo"');
    expect(demoDry?.hint).toBe('demo is a drill of the demo plan: whisper-drill drill --plan drills/demo.yaml --dry-run (from the package\'s folder) takes it');
    expect((() => { try { parseCli(['check', '--tag', 'v1']); } catch (error) { return (error as DrillError).hint; } })()).toBe('whisper-drill check --help lists the flags it takes');
    expect(usage(['demo', '--frobnicate'])).toMatch(/^Unknown option '--frobnicate'$/);
    expect(usage(['setup', '--plan', 'p'])).toBe("setup needs --dir DIR: where the new node's service will live");
    expect(usage(['setup', '--dir', 'd'])).toBe('setup needs --plan FILE');
    expect(usage(['stop'])).toBe('stop needs --dir DIR: the directory setup restored into');
    expect(usage(['restore'])).toMatch(/^unknown command "restore"/);
    expect(usage(['probe'])).toMatch(/^probe needs URL/);
    expect(usage(['completion', 'tcsh'])).toBe('completion tcsh: not one of bash, zsh, fish');
    expect(usage(['history', 'extra'])).toBe('unexpected argument "extra"');
    expect(usage(['init', '--yes', '--repo', 'r'])).toBe('init --yes writes the plan from flags alone: give --start, --url');
  });

  it('--help anywhere, and help COMMAND, ask for help', () => {
    expect(parseCli(['--help'])).toMatchObject({ command: 'help' });
    expect(parseCli(['setup', '--help'])).toMatchObject({ command: 'help', helpFor: 'setup' });
    expect(parseCli(['help', 'probe'])).toMatchObject({ command: 'help', helpFor: 'probe' });
    expect(parseCli(['-V'])).toMatchObject({ command: 'version' });
  });

  it('every flag a command takes parses for it, and no other command takes one it does not list', () => {
    const all = new Set(COMMAND_SPECS.flatMap((spec) => spec.flags.map((flag) => flag.name)));
    for (const spec of COMMAND_SPECS) {
      const base = [spec.name, ...(spec.argument ? [spec.argument.choices?.[0] ?? 'http://127.0.0.1:1'] : [])];
      const required = spec.flags.filter((flag) => flag.required !== undefined).flatMap((flag) => [`--${flag.name}`, 'x']);
      for (const flag of spec.flags) {
        // init --yes is the headless init, which needs its own flags (tested above)
        if (spec.name === 'init' && flag.name === 'yes') continue;
        const argv = [...base, ...required.filter((_, i) => required[i - (i % 2)] !== `--${flag.name}`), `--${flag.name}`, ...(flag.value ? ['x'] : [])];
        expect(() => parseCli(argv), argv.join(' ')).not.toThrow();
      }
      for (const name of [...all].filter((name) => !spec.flags.some((flag) => flag.name === name))) {
        expect(usage([...base, ...required, `--${name}`, 'x']), `${spec.name} --${name}`).toBe(`--${name} does not apply to "${spec.name}"`);
      }
    }
  });
});

describe('help', () => {
  it('lists every command and, for each, every flag it takes', () => {
    const help = generalHelp();
    for (const spec of COMMAND_SPECS) {
      expect(help).toMatch(new RegExp(`^  ${spec.name}\\s{2,}\\S`, 'm'));
      const usageLines = help.slice(help.indexOf(`  whisper-drill ${spec.name === 'drill' ? '[drill]' : spec.name} `)).split('\n');
      const own = usageLines.slice(0, usageLines.findIndex((line, i) => i > 0 && !line.startsWith('     '))).join(' ');
      for (const flag of spec.flags) expect(own, `${spec.name} --${flag.name}`).toContain(`--${flag.name}`);
      const single = commandHelp(spec.name);
      for (const flag of spec.flags) expect(single, `${spec.name} --help: --${flag.name}`).toMatch(new RegExp(`^  --${flag.name}\\b`, 'm'));
    }
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(110);
  });

  it("is what the README's Commands section shows", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const block = /## Commands\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    const usage = generalHelp().split('Usage:\n')[1]!.split('\n\n')[0]!;
    expect(block).toBe(`${usage.split('\n').map((line) => line.slice(2)).join('\n')}\n`);
  });
});
