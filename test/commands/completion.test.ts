/**
 * The completion scripts in the shells themselves: bash (compgen through the completion function),
 * fish (`complete -C`) and zsh (an interactive zsh on a pty, its candidates captured from compadd).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionScript } from '../../src/commands/completion.js';
import { COMMAND_SPECS } from '../../src/commands/spec.js';
import { repoRoot } from '../helpers/cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-completion-'));
  await Promise.all((['bash', 'zsh', 'fish'] as const).map((shell) => writeFile(path.join(dir, shell), completionScript(shell))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What bash completes for `line` (its last word being completed), run as bash's completion would. */
async function bash(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = [
    `source ${path.join(dir, 'bash')}`,
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
    '_whisper_drill; printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const { stdout } = await execa('bash', ['-c', script], { cwd: dir });
  return stdout.split('\n').filter(Boolean);
}

async function fish(line: string): Promise<string[]> {
  const { stdout } = await execa('fish', ['--no-config', '-c', `source ${path.join(dir, 'fish')}; complete -C '${line}'`], { cwd: dir });
  return stdout.split('\n').filter(Boolean).map((entry) => entry.split('\t')[0]!);
}

/** zsh's candidates for `line`, once every one of `expected` has been offered (or 20 s have passed). */
async function zsh(line: string, expected: readonly string[]): Promise<string[]> {
  const hits = path.join(dir, `hits-${Math.random().toString(36).slice(2)}`);
  const stop = `${hits}.stop`;
  const child = spawn('zsh', ['-f', path.join(repoRoot, 'test', 'fixtures', 'zsh-complete.zsh'), path.join(dir, 'zsh'), hits, stop, line], { cwd: dir, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let found: string[] = [];
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    found = [...new Set((await readFile(hits, 'utf8').catch(() => '')).split('\n').filter((l) => l.startsWith('HIT:')).map((l) => l.slice(4)))];
    if (expected.every((candidate) => found.includes(candidate))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await writeFile(stop, '');
  await exited;
  return found;
}

describe('whisper-drill completion', () => {
  it('bash: the commands, each command its own flags, files where a flag takes one, the choices of --every', async () => {
    expect(await bash('whisper-drill s')).toEqual(['setup', 'snapshot', 'stop', 'schedule']);
    expect(await bash('whisper-drill setup --')).toEqual(expect.arrayContaining(['--plan', '--dir', '--systemd', '--help']));
    expect(await bash('whisper-drill setup --')).not.toContain('--keep');
    expect(await bash('whisper-drill schedule --every q')).toEqual(['quarterly']);
    expect(await bash('whisper-drill completion ')).toEqual(['bash', 'zsh', 'fish']);
    await writeFile(path.join(dir, 'plan-a.yaml'), '');
    expect(await bash('whisper-drill --plan plan-')).toEqual(['plan-a.yaml']);
    // A name with a space is one candidate
    await writeFile(path.join(dir, 'my plan.yaml'), '');
    expect(await bash('whisper-drill --plan my')).toEqual(['my plan.yaml']);
    expect(await bash('whisper-drill drill --tag v')).toEqual([]);
    // A flag's value that reads like a command is not the command
    expect(await bash('whisper-drill --tag stop --')).toContain('--keep');
  });

  it('fish: the same, with what each does', async () => {
    expect(await fish('whisper-drill s')).toEqual(expect.arrayContaining(['setup', 'stop', 'schedule']));
    expect((await fish('whisper-drill probe --')).sort()).toEqual(['--api-key-env', '--help', '--json']);
    expect(await fish('whisper-drill schedule --every ')).toEqual(['monthly', 'nightly', 'quarterly']);
    const { stdout } = await execa('fish', ['--no-config', '-c', `source ${path.join(dir, 'fish')}; complete -C 'whisper-drill hist'`]);
    expect(stdout).toBe(`history\t${COMMAND_SPECS.find((spec) => spec.name === 'history')!.summary.split('\n')[0]}`);
  });

  it('zsh: the commands, the flags of the command typed, and the choices of a flag and of completion', async () => {
    expect(await zsh('whisper-drill se', ['setup'])).toEqual(['setup']);
    expect(await zsh('whisper-drill schedule --every ', ['quarterly', 'monthly'])).toEqual(['quarterly', 'monthly', 'nightly']);
    expect(await zsh('whisper-drill completion ', ['bash', 'zsh', 'fish'])).toEqual(['bash', 'zsh', 'fish']);
    const probe = await zsh('whisper-drill probe --', ['--api-key-env', '--json', '--help']);
    expect(probe.sort()).toEqual(['--api-key-env', '--help', '--json']);
  });

  it('every flag of every command is offered for it (the scripts are written from the one table)', async () => {
    for (const spec of COMMAND_SPECS) {
      const offered = await bash(`whisper-drill ${spec.name} --`);
      expect(offered.sort(), spec.name).toEqual([...spec.flags.map((flag) => `--${flag.name}`), '--help'].sort());
    }
  });
});
