/**
 * `init` headless, through the built CLI: against the demo's own backup (builtin:sample-backup) and
 * its stand-in service running, it writes a plan that the plan loader accepts and that drills the
 * demo successfully. It never overwrites a plan without --force.
 */
import { shellWord } from '../../src/model/shell-word.js';
import { sharedVenv } from '../helpers/demo-plan.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { describeRun, runCli } from '../helpers/cli.js';
import { standinTree, startStandin, type RunningStandin } from '../helpers/standin-service.js';

let tmp = '';
let service: RunningStandin | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-init-'));
});
afterAll(async () => {
  await service?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const initArgs = (url: string, out: string) => [
  'init', '--yes', '--repo', 'builtin:sample-backup', '--name', 'demo-init', '--out', out,
  // The venv the test run prepared, copied (helpers/demo-plan.ts): init takes the commands as given.
  '--install', `cp -a ${shellWord(sharedVenv())} .venv`, '--install', '.venv/bin/python -m pip install --disable-pip-version-check -r requirements.txt',
  '--start', `.venv/bin/python app.py --port ${new URL(url).port}`, '--url', url, '--report-dir', path.join(tmp, 'reports'),
];

describe('init --yes', () => {
  it('writes a plan from the running demo service, and that plan drills the demo', async () => {
    service = await startStandin(await standinTree(path.join(tmp, 'tree')), 'gradio-5');
    const out = path.join(tmp, 'plans', 'demo-init.yaml');
    const init = await runCli(initArgs(service.url, out), { cwd: tmp, timeoutMs: 120_000 });
    expect(init.code, describeRun(init)).toBe(0);
    expect(init.stdout).toMatch(/^4 tag\(s\) match "v\*"; newest v1\.3-signed-release/m);
    expect(init.stdout).toContain(`${service.url}: Gradio 5.9.1 (api: gradio)`);
    expect(init.stdout).toContain(`whisper-drill drill --plan ${out}`);
    // The process on the probed port, and that --start is not its command: said, for the operator to check.
    expect(init.stdout).toMatch(/^pid \d+ listens on port \d+, in .*tree: `python3 app\.py --port \d+ --api gradio-5` — not the --start given \(`\.venv\/bin\/python app\.py --port \d+`\): check it listens on http:\/\/127\.0\.0\.1:\d+$/m);
    const text = await readFile(out, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*drills\/plan\.schema\.json$/);
    const data = YAML.parse(text) as Record<string, any>;
    expect(data['snapshot']).toEqual({ repo: 'builtin:sample-backup', tags: 'v*', requireSignedTag: false });
    expect(data['assertions'][0]).toMatchObject({ api: 'gradio', endpoint: '/predict', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务' } });
    // The backup side: the service's folder is the working directory of the process holding its port,
    // and its model the one under models/ it loads by path.
    const tree = path.join(tmp, 'tree');
    expect(data['backup']).toMatchObject({ from: tree, models: [{ from: path.join(tree, 'models', 'large-v3.pt'), to: 'models/large-v3.pt' }], wheelhouse: true });
    expect(text).toMatch(/^ {2}from: \S+ {3}# the working directory of python3 \(pid \d+\), which holds port \d+$/m);

    // The drill starts its own service on that port: the probed one goes first.
    await service.stop();
    const drill = await runCli(['drill', '--plan', out, '--yes', '--tag', 'v1.2-config-tuned'], {
      cwd: tmp,
      env: { GRADIO_TEMP_DIR: path.join(tmp, 'uploads') },
      timeoutMs: 180_000,
    });
    expect(drill.code, describeRun(drill)).toBe(0);
    expect(drill.stderr).toMatch(/PASSED/);
  });

  it('never overwrites a plan without --force, and needs its flags', async () => {
    const out = path.join(tmp, 'keep.yaml');
    await writeFile(out, 'name: mine\n');
    const refused = await runCli(initArgs('http://127.0.0.1:9', out), { cwd: tmp });
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toContain(`${out} exists`);
    expect(await readFile(out, 'utf8')).toBe('name: mine\n');
    const bare = await runCli(['init', '--yes', '--repo', 'builtin:sample-backup'], { cwd: tmp });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('init --yes writes the plan from flags alone: give --start, --url');
  });
});
