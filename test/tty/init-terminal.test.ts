/**
 * `whisper-drill init` in a real terminal (tmux): the operator types the repository, takes the
 * defaults with Enter (the service is a running Gradio 6 stand-in), and gets a plan that loads.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.js';
import { cliPath } from '../helpers/cli.js';
import { standinTree, startStandin, type RunningStandin } from '../helpers/standin-service.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let dir = '';
let service: RunningStandin | undefined;
let session: TmuxSession | undefined;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-init-tty-'));
  service = await startStandin(await standinTree(path.join(dir, 'tree')), 'gradio-6');
});
afterAll(async () => {
  await session?.kill();
  await service?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('init in a terminal', () => {
  it('writes the plan as answered, and says how to run the first drill', async () => {
    const plan = path.join(dir, 'plan.yaml');
    const command = [
      'env -u CI',
      `WHISPER_DRILL_CACHE=${process.env['WHISPER_DRILL_CACHE']}`,
      `node ${cliPath} init --url ${service!.url} --start 'python3 app.py --api gradio-6' --out ${plan}`,
      `; echo $? > ${path.join(dir, 'exit-code')}; sleep 600`,
    ].join(' ');
    session = await startTmux(command, { cwd: dir, cols: 100, rows: 40 });
    const tmux = session;
    await tmux.waitFor((screen) => screen.includes('Backup repository'), 20_000);
    await tmux.keys('-l', 'builtin:sample-backup');
    await tmux.waitFor((screen) => screen.includes('› builtin:sample-backup'));
    // Enter through the questions: each answer's default, each check on the spot.
    const answers = ['Which tags are snapshots', 'Install commands', 'URL of the service', 'Start command', 'Sample audio', 'Text the sample', 'Language of the sample', 'Report directory', 'Write the plan to', 'Run the first drill'];
    for (const next of answers) {
      await tmux.press('Enter', async () => (await tmux.screen()).includes(next));
      await tmux.waitFor((screen) => screen.includes(next) && !screen.includes('… '), 20_000);
    }
    const screen = await tmux.screen();
    expect(screen).toContain('✔ 4 tag(s) match "v*", newest v1.3-signed-release');
    expect(screen).toContain(`${service!.url}: Gradio 6.25.0 (api: gradio)`);
    expect(screen).toContain(`whisper-drill drill --plan ${plan}`);
    expect(await waitExit(dir)).toBe('0');
    const loaded = await loadPlan(plan);
    expect(loaded.assertions[0]).toMatchObject({ api: 'gradio', endpoint: '/transcribe', language: 'zh' });
    expect(loaded.install).toEqual(['python3 -m venv .venv', '.venv/bin/pip install -r requirements.txt']);
    // The start command proposed from the process listening on the probed port, taken with Enter.
    expect(loaded.service.start).toBe(`python3 app.py --port ${new URL(service!.url).port} --api gradio-6`);
  });
});

async function waitExit(where: string): Promise<string> {
  for (let i = 0; i < 100; i += 1) {
    const text = (await readFile(path.join(where, 'exit-code'), 'utf8').catch(() => '')).trim();
    if (text) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'no exit code';
}
