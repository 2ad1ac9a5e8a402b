/**
 * The init wizard driven by keys with ink-testing-library, on the real session: the sample backup's
 * tags, a running stand-in service (speaches with a key, so the key question comes up), this node's
 * GPU check, and a plan file that exists (so it asks before overwriting). The written plan loads.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInitSession } from '../../src/commands/init.js';
import { INIT_DEFAULTS } from '../../src/init/answers.js';
import { loadPlan } from '../../src/plan/load.js';
import { InitWizard } from '../../src/ui/init/InitWizard.js';
import { KEYS, press, waitForFrame } from '../helpers/ink.js';
import { standinTree, startStandin, type RunningStandin } from '../helpers/standin-service.js';

const KEY = 'sk-wizard-0a1b2c3d';
let tmp = '';
let service: RunningStandin | undefined;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-init-wizard-'));
  service = await startStandin(await standinTree(path.join(tmp, 'tree')), 'speaches', { API_KEY: KEY });
});
afterAll(async () => {
  await service?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('init wizard', () => {
  it('asks, checks each answer, asks for the key variable, asks before overwriting, and writes a plan that loads', async () => {
    const out = path.join(tmp, 'drills', 'sample.yaml');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, 'name: old\n');
    const codes: number[] = [];
    const defaults = { ...INIT_DEFAULTS, name: 'sample', repo: '', install: [], start: 'python3 app.py --api speaches', url: service!.url, out };
    const readKey = (name: string) => (name === 'WIZARD_KEY' ? KEY : undefined);
    const instance = render(<InitWizard session={makeInitSession(new AbortController().signal)} defaults={defaults} readKey={readKey} force={false} onDone={(code) => codes.push(code)} />);
    try {
      // Given the first question, when the repository is typed, then the tag pattern is asked.
      await waitForFrame(instance, (f) => f.includes('Backup repository'));
      // Typed with its Enter in one read (a paste): every key counts, and the answer is submitted.
      await press(instance, 'builtin:sample-backup\r');
      expect(await waitForFrame(instance, (f) => f.includes('Which tags are snapshots'))).toContain('› v*');
      // When the pattern is taken, the tags are listed with the drill's own code.
      await press(instance, KEYS.enter);
      await waitForFrame(instance, (f) => f.includes('Install commands'), 20_000);
      expect(instance.lastFrame()).toContain('✔ 4 tag(s) match "v*", newest v1.3-signed-release');
      await press(instance, KEYS.enter); // no install commands
      // The service is probed; it refuses without a key, so the wizard asks which variable holds it.
      await press(instance, KEYS.enter);
      expect(await waitForFrame(instance, (f) => f.includes('the environment variable that holds it'), 10_000)).toContain('speaches 0.9.0 (api: openai)');
      // A wrong start, cleared with Ctrl-U, then the name and Enter: one read.
      await press(instance, 'OOPS_WRONG');
      await press(instance, '\u0015WIZARD_KEY\r');
      // The start command is proposed from the process that listens on the probed port, in its folder.
      const proposal = await waitForFrame(instance, (f) => f.includes('Start command of the service'), 10_000);
      expect(proposal).toContain('(model Systran/faster-whisper-large-v3)');
      expect(proposal.replace(/\s+/g, ' ')).toMatch(new RegExp(`listens on port ${new URL(service!.url).port}, in .*tree: \`python3 app\\.py --port \\d+ --api speaches\``));
      expect(proposal).toMatch(/› python3 app\.py --port \d+ --api speaches/);
      await press(instance, KEYS.enter);
      await waitForFrame(instance, (f) => f.includes('Sample audio'), 10_000);
      for (const question of ['Text the sample must transcribe to', 'Language of the sample', 'Report directory', 'Write the plan to']) {
        await press(instance, KEYS.enter);
        await waitForFrame(instance, (f) => f.includes(question), 10_000);
      }
      await press(instance, KEYS.enter);
      await waitForFrame(instance, (f) => f.includes('That file exists. Overwrite it?'), 10_000);
      expect(await readFile(out, 'utf8')).toBe('name: old\n');
      await press(instance, 'y');
      await press(instance, KEYS.enter);
      const frame = await waitForFrame(instance, (f) => f.includes('Run the first drill'), 10_000);
      expect(frame).toContain('export WIZARD_KEY=');
      expect(frame).not.toContain(KEY);
      expect(codes).toEqual([0]);
    } finally {
      instance.unmount();
    }
    const plan = await loadPlan(out);
    expect(plan.service).toMatchObject({ url: service!.url, apiKeyEnv: 'WIZARD_KEY', ready: { path: '/health' }, start: `python3 app.py --port ${new URL(service!.url).port} --api speaches` });
    expect(plan.assertions[0]).toMatchObject({ api: 'openai', model: 'Systran/faster-whisper-large-v3', audio: 'example/test_cn.wav' });
    expect(await readFile(out, 'utf8')).not.toContain(KEY);
  });
});
