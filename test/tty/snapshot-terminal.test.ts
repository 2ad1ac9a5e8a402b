/**
 * `snapshot` in a real terminal (tmux): the change list and the diff reviewed, "Push and tag?" asked
 * before anything is pushed — n pushes nothing, y commits, pushes, proves and tags — the way an operator
 * sees it.
 */
import { cp, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, describeRun, repoRoot, runCli } from '../helpers/cli.js';
import { gitText } from '../helpers/sample.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let dir = '';
let plan = '';
let repo = '';
let svc = '';
let session: TmuxSession | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-tty-snapshot-'));
  svc = path.join(dir, 'svc');
  await cp(path.join(repoRoot, 'fixtures', 'sample-backup'), svc, { recursive: true });
  repo = path.join(dir, 'backup.git');
  await gitText(['init', '--quiet', '--bare', repo]);
  plan = path.join(dir, 'plan.yaml');
  await writeFile(plan, YAML.stringify({ name: 'tty', snapshot: { repo: `file://${repo}` }, environment: { python: { command: 'python3' } }, service: { start: 'true', url: 'http://127.0.0.1:9' }, backup: { from: svc } }));
  const first = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v1'], { cwd: dir, timeoutMs: 60_000 });
  expect(first.code, describeRun(first)).toBe(0);
  await appendFile(path.join(svc, 'config.yaml'), 'patience: 2\n');
});
afterAll(async () => {
  await session?.kill();
  await rm(dir, { recursive: true, force: true });
});

const tags = async () => (await gitText(['--git-dir', repo, 'tag'])).trim().split('\n');

describe('snapshot on a terminal', () => {
  it('shows the change and its diff, asks before pushing: n pushes nothing, y pushes, proves and tags', async () => {
    const launch = () =>
      startTmux(`env -u CI WHISPER_DRILL_CACHE=${process.env['WHISPER_DRILL_CACHE']} node ${cliPath} snapshot --plan ${plan} --tag v2; echo "exit-code $?" > ${dir}/exit-code; sleep 60`, { cwd: dir, cols: 100, rows: 30 });
    session = await launch();
    let screen = await session.waitFor((text) => text.includes('[y]es / [n]o'));
    expect(screen).toMatch(/✔ Stage by content hash \([\d.]+ m?s\): 1 change since v1/);
    expect(screen).toMatch(/changed +config\.yaml \(279 B → 291 B, \+1 -0\)/);
    expect(screen).toContain('+patience: 2');
    expect(screen).toContain('Commit, push and tag these 1 change(s)? [y]es / [n]o');
    await session.press('n', async () => (await readFile(path.join(dir, 'exit-code'), 'utf8').catch(() => '')).includes('exit-code'));
    expect(await readFile(path.join(dir, 'exit-code'), 'utf8')).toBe('exit-code 1\n');
    expect(await session.screen()).toContain('SNAPSHOT FAILED: not confirmed: nothing was committed or pushed');
    expect(await tags()).toEqual(['v1']);
    await session.kill();

    await rm(path.join(dir, 'exit-code'));
    session = await launch();
    await session.waitFor((text) => text.includes('[y]es / [n]o'));
    await session.press('y', async () => (await readFile(path.join(dir, 'exit-code'), 'utf8').catch(() => '')).includes('exit-code'));
    expect(await readFile(path.join(dir, 'exit-code'), 'utf8')).toBe('exit-code 0\n');
    screen = await session.screen();
    expect(screen).toMatch(/✔ Prove every LFS object landed \([\d.]+ m?s\): 2 LFS objects on file:\/\//);
    expect(screen).toMatch(/SNAPSHOT v2 → [0-9a-f]{12} on file:\/\/\S+: 2 LFS\s+object\(s\) proven\./);
    // The whole scrollback: the prompt is gone once answered, nothing drawn twice.
    const scrollback = await session.scrollback();
    expect(scrollback.match(/whisper-drill snapshot$/gm)).toHaveLength(1);
    expect(await tags()).toEqual(['v1', 'v2']);
  }, 60_000);
});
