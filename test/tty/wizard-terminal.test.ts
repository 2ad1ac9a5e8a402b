/**
 * The built CLI in a real terminal (tmux): the wizard as an operator sees it, keys and all.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { describeProcesses, processesUsing as processesMentioning } from '../helpers/processes.js';
import { withSharedVenv } from '../helpers/demo-plan.js';
import { freePort } from '../helpers/sample.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let dir: string;
let session: TmuxSession | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-tty-'));
});

afterEach(async () => {
  await session?.kill();
  session = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Processes of the drill in `workdir` — not the terminal, nor the shell that runs the CLI in it. */
function processesUsing(workdir: string) {
  return processesMentioning(workdir).filter((p) => !p.cmdline.startsWith('tmux') && !p.cmdline.includes('exit-code'));
}

/** The demo plan on a port of its own, with an optional prefix to the start command. */
async function demoPlan(startPrefix = ''): Promise<string> {
  const port = await freePort();
  const text = withSharedVenv(await readFile(path.join(repoRoot, 'drills', 'demo.yaml'), 'utf8'))
    .replaceAll('17860', String(port))
    .replace('start: .venv/bin/python', `start: ${startPrefix}.venv/bin/python`);
  const file = path.join(dir, 'plan.yaml');
  await writeFile(file, text);
  return file;
}

/** Run the CLI in the terminal; its exit code lands in `exit-code`. */
async function launch(plan: string, workdir: string, env = '', size = { cols: 80, rows: 24 }, command_ = 'drill'): Promise<TmuxSession> {
  const reports = path.join(dir, 'reports');
  const command = [
    'env -u CI',
    env,
    `WHISPER_DRILL_CACHE=${process.env['WHISPER_DRILL_CACHE']}`,
    command_ === 'drill' ? `node ${cliPath} drill --plan ${plan} --report-dir ${reports} --workdir ${workdir}` : `node ${cliPath} audit --plan ${plan} --report-dir ${reports}`,
    `; echo $? > ${path.join(dir, 'exit-code')}; sleep 600`,
  ].join(' ');
  return startTmux(command, { cwd: dir, ...size });
}

async function exitCode(): Promise<number> {
  for (let i = 0; i < 300; i += 1) {
    const text = await readFile(path.join(dir, 'exit-code'), 'utf8').catch(() => '');
    if (text.trim()) return Number(text.trim());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the CLI did not exit');
}

async function exited(): Promise<boolean> {
  return (await readFile(path.join(dir, 'exit-code'), 'utf8').catch(() => '')).trim() !== '';
}

async function onlyReport(): Promise<Record<string, unknown>> {
  const planDir = path.join(dir, 'reports', 'demo');
  const runs = await readdir(planDir);
  expect(runs).toHaveLength(1);
  return JSON.parse(await readFile(path.join(planDir, runs[0]!, 'report.json'), 'utf8')) as Record<string, unknown>;
}

describe('the wizard in a real terminal', () => {
  it('honours NO_COLOR, follows a resize, and q then y aborts at the tag picker', async () => {
    const workdir = path.join(dir, 'ws');
    session = await launch(await demoPlan(), workdir, 'NO_COLOR=1');
    await session.waitFor((s) => s.includes('Which snapshot should be restored?'));
    // No colour escape (SGR 30–37, 90–97, 38;…) anywhere on the screen
    expect(await session.styledScreen()).not.toMatch(/\x1b\[(3[0-8]|9[0-7])[;m]/);
    // A narrower terminal: every line is laid out again within it
    await session.resize(60, 20);
    const narrow = await session.waitFor((s) => s.split('\n').every((line) => line.length <= 60) && s.includes('v1.0-model-large-v3'), 5_000);
    expect(narrow).toContain('Which snapshot');
    const screen = session.screen;
    await session.press('q', async () => (await screen()).includes('Abort the drill?'));
    await session.press('y', async () => (await screen()).includes('ABORTED'));
    await session.press('Enter', exited);
    expect(await exitCode()).toBe(130);
    expect((await onlyReport())['verdict']).toBe('aborted');
    await expect(stat(workdir)).rejects.toThrow();
  });

  it('picks the second tag with the arrow keys and passes; the scrollback holds each finished step once and no line of the live area', async () => {
    const workdir = path.join(dir, 'ws');
    session = await launch(await demoPlan(), workdir);
    // Given the tag picker, newest first
    const picker = await session.waitFor((s) => s.includes('Which snapshot should be restored?'));
    expect(picker).toMatch(/❯ v1\.3-signed-release/);
    // When the operator moves down once and presses Enter
    const screen = session.screen;
    await session.press('Down', async () => /❯ v1\.2-config-tuned/.test(await screen()));
    await session.press('Enter', async () => !(await screen()).includes('Which snapshot'));
    // Then the drill runs to its end and asks who signs it off; the operator types a name and a note
    await session.waitFor((s) => s.includes('Sign the drill off'), 120_000);
    await session.press('Dana', async () => (await screen()).includes('Operator: Dana'));
    await session.press('Enter', async () => /❯ Notes:/.test(await screen()));
    await session.press('OPS-42', async () => (await screen()).includes('OPS-42'));
    await session.press('Enter', async () => (await screen()).includes('Enter or q: exit'));
    // and it ends with a passed summary
    const summary = await session.waitFor((s) => s.includes('Enter or q: exit'), 120_000);
    expect(summary).toContain('PASSED');
    expect(summary).toMatch(/✔ verify/);
    expect(summary).toContain('Report: ');
    for (const line of summary.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    await session.press('Enter', exited);
    expect(await exitCode()).toBe(0);
    const report = await onlyReport();
    expect(report).toMatchObject({ verdict: 'passed', snapshot: { tag: 'v1.2-config-tuned' }, signOff: { operator: 'Dana', notes: 'OPS-42' } });
    await expect(stat(workdir)).rejects.toThrow();
    expect(describeProcesses(processesUsing(workdir))).toBe('');

    // Scrolling back through everything the terminal showed: each step's line is there once (the summary's
    // bar chart names the ids again, without the summary text), and nothing of the live area — no running
    // step, no footer, no question.
    const lines = (await session.scrollback()).split('\n');
    const steps = (report as { steps: Array<{ id: string; summary: string }> }).steps;
    expect(steps).toHaveLength(8);
    for (const step of steps) {
      const text = step.summary.slice(0, 30);
      expect(lines.filter((line) => line.includes(text)), `${step.id}: ${text}\n${lines.join('\n')}`).toHaveLength(1);
    }
    expect(lines.filter((line) => line.includes('▸ ') || line.includes('? keys · q abort') || line.includes('Which snapshot') || line.includes('Sign the drill off')), lines.join('\n')).toEqual([]);
  });

  it('Ctrl-C during start asks, then aborts: nothing left running, the report says aborted', async () => {
    const workdir = path.join(dir, 'ws');
    // A service slow to come up, so that the operator can interrupt it while it starts.
    session = await launch(await demoPlan('sleep 120 && exec '), workdir);
    await session.waitFor((s) => s.includes('Which snapshot should be restored?'));
    const screen = session.screen;
    await session.press('Enter', async () => !(await screen()).includes('Which snapshot'));
    await session.waitFor((s) => s.includes('Start the service'), 120_000);
    expect(processesUsing(workdir).length).toBeGreaterThan(0);
    await session.press('C-c', async () => (await screen()).includes('Abort the drill?'));
    await session.press('y', async () => (await screen()).includes('Aborting') || (await screen()).includes('ABORTED'));
    const summary = await session.waitFor((s) => s.includes('Enter or q: exit'), 60_000);
    expect(summary).toContain('ABORTED');
    expect(summary).toMatch(/✖ start/);
    await session.press('Enter', exited);
    expect(await exitCode()).toBe(130);
    const report = await onlyReport();
    expect(report['verdict']).toBe('aborted');
    expect(describeProcesses(processesUsing(workdir))).toBe('');
    await expect(stat(workdir)).rejects.toThrow();
  });

  it('audit lists every tag as restorable; Enter on the second drills it in the same terminal', async () => {
    session = await launch(await demoPlan(), '', '', { cols: 100, rows: 30 }, 'audit');
    const list = await session.waitFor((s) => s.includes('Enter: drill this tag'));
    expect(list).toContain('4 of 4 tag(s) restorable');
    expect(list).toMatch(/❯ v1\.3-signed-release\s+2026-06-01\s+64\.1 MiB\s+restorable/);
    const screen = session.screen;
    await session.press('Down', async () => /❯ v1\.2-config-tuned/.test(await screen()));
    await session.press('Enter', async () => !(await screen()).includes('Enter: drill this tag'));
    await session.waitFor((s) => s.includes('Sign the drill off'), 120_000);
    await session.press('Escape', async () => (await screen()).includes('Enter or q: exit'));
    await session.press('Enter', exited);
    expect(await exitCode()).toBe(0);
    expect(await onlyReport()).toMatchObject({ verdict: 'passed', snapshot: { tag: 'v1.2-config-tuned' } });
  });

});
