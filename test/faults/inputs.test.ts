/**
 * Bad input: plans that are not plans, a report folder that cannot be written, hostile tag and workdir
 * names, audio that is not audio, an archive that climbs out. Each is refused with a message that names
 * the file (with line and column), the name or the entry — and nothing is run that the input smuggled in.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import tar from 'tar-stream';
import { describe, expect } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { repoRoot } from '../helpers/cli.js';
import { expectFailure, fault, type Scene } from './harness.js';
import { faultDrill, faultyService } from './drill.js';

const DEMO = path.join(repoRoot, 'drills', 'demo.yaml');

/** The CLI on `plan`, from the case's folder; its reports (if any) under it. */
async function cli(scene: Scene, args: readonly string[]): Promise<CliResult> {
  return runCli(args, { cwd: scene.dir, timeoutMs: 60_000 });
}

/** Refused before any step: exit 2, the message, and no report, workspace or service. */
async function expectRefused(scene: Scene, args: readonly string[], message: RegExp): Promise<void> {
  const result = await cli(scene, args);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stdout).not.toMatch(/-> environment/);
  expect(existsSync(path.join(scene.dir, 'drill-reports'))).toBe(false);
}

async function planFile(scene: Scene, name: string, content: string | Buffer): Promise<string> {
  const file = path.join(scene.dir, name);
  await writeFile(file, content);
  return file;
}

describe('plans that are not plans', () => {
  fault('inputs', 'a malformed plan (bad indentation) — exit 2 naming file:line:col, before any step', async (scene) => {
    const file = await planFile(scene, 'bad.yaml', 'name: x\nsnapshot:\n  repo: builtin:sample-backup\n service:\n  start: x\n');
    await expectRefused(scene, ['drill', '--plan', file, '--tag', 'v1', '--yes'], new RegExp(`${file.replace(/[.]/g, '\\.')}:4:1: invalid YAML: All mapping items must start at the same column`));
  });

  fault('inputs', 'a truncated plan (cut inside a string) — exit 2 naming where the quote is missing', async (scene) => {
    const file = await planFile(scene, 'cut.yaml', 'name: "whisp');
    await expectRefused(scene, ['drill', '--plan', file, '--tag', 'v1'], /cut\.yaml:1:13: invalid YAML: Missing closing "quote/);
  });

  fault('inputs', 'a binary file as the plan — exit 2 at 1:1, its bytes escaped, never printed raw', async (scene) => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256));
    const file = await planFile(scene, 'binary.yaml', bytes);
    const result = await cli(scene, ['drill', '--plan', file, '--tag', 'v1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/binary\.yaml:1:1: /);
    // eslint-disable-next-line no-control-regex
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000e-\u001f\u007f]/);
  });

  fault('inputs', 'a directory as the plan, or no plan there — exit 2: "it is a directory", "no such file", said before what else the run lacks (--tag)', async (scene) => {
    await mkdir(path.join(scene.dir, 'plan.yaml'));
    await expectRefused(scene, ['drill', '--plan', path.join(scene.dir, 'plan.yaml'), '--tag', 'v1'], /cannot read plan file .*plan\.yaml: it is a directory/);
    await expectRefused(scene, ['drill', '--plan', path.join(scene.dir, 'missing.yaml')], /^whisper-drill: cannot read plan file .*missing\.yaml: no such file$/m);
    await expectRefused(scene, ['drill'], /cannot read plan file .*drills\/whisper-large-v3\.yaml: no such file\npass --plan FILE \(the default is drills\/whisper-large-v3\.yaml, here\)/);
  });

  fault('inputs', 'a report folder that cannot be written — said before the drill starts (exit 2), not after the restore', async (scene) => {
    await writeFile(path.join(scene.dir, 'a-file'), 'x');
    await expectRefused(scene, ['drill', '--plan', DEMO, '--tag', 'v1.2-config-tuned', '--report-dir', path.join(scene.dir, 'a-file', 'reports')], /cannot write reports to .*a-file\/reports\/demo: ENOTDIR .*pass --report-dir DIR, or fix report\.dir in the plan/);
  });
});

describe('hostile names', () => {
  for (const [what, tag] of [
    ['shell syntax', '$(touch pwned)`touch pwned`'],
    ['option syntax', '--upload-pack=touch pwned'],
    ['a newline', 'v1.2-config-tuned\ntouch pwned'],
    ['bytes that are not UTF-8', Buffer.from([0x76, 0x31, 0xff, 0xfe]).toString('latin1')],
  ] as const) {
    fault('inputs', `a tag with ${what} — the snapshot step fails naming it; nothing of it runs`, async (scene) => {
      const result = await cli(scene, ['drill', '--plan', DEMO, `--tag=${tag}`, '--json']);
      expect(result.code, result.stderr).toBe(1);
      const events = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; step?: string; status?: string; error?: { message: string } });
      const snapshot = events.find((e) => e.type === 'step-end' && e.step === 'snapshot');
      expect(snapshot).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^tag "(?:[^"\\\n]|\\.)*" not found among the tags matching "v\*"/) } });
      expect(events.filter((e) => e.type === 'step-end' && e.status === 'passed' && e.step !== 'environment' && e.step !== 'teardown').map((e) => e.step)).toEqual([]);
      expect(await readdir(scene.dir)).not.toContain('pwned');
      const report = (await readdir(path.join(scene.dir, 'drill-reports', 'demo')))[0]!;
      expect(existsSync(path.join(scene.dir, 'drill-reports', 'demo', report, 'report.json'))).toBe(true);
    });
  }

  fault('inputs', 'a workdir whose name holds shell and option syntax — the drill passes in it; nothing of it runs', async (scene) => {
    const workdir = path.join(scene.dir, '--ws $(touch pwned) `touch pwned`; touch pwned');
    const run = await faultDrill(scene, (port) => ({ service: faultyService('none', port) }), { workdir });
    expect(run.record.verdict, JSON.stringify(run.record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
    expect(run.record.workdir).toBe(workdir);
    // The drill made it, and removed it.
    expect(existsSync(workdir)).toBe(false);
    expect(await readdir(scene.dir)).not.toContain('pwned');
  });

  fault('inputs', 'a workdir whose name holds a line break — refused before any step, saying why', async (scene) => {
    const workdir = path.join(scene.dir, 'ws\nnext');
    await expect(faultDrill(scene, (port) => ({ service: faultyService('none', port) }), { workdir })).rejects.toThrow(/a workspace path with a line break cannot be restored into \(git-lfs's filter protocol carries paths as lines\); choose another --workdir/);
    expect(existsSync(workdir)).toBe(false);
  });
});

describe('content that is not what it claims', () => {
  fault('inputs', 'audio that is not audio — the assertion fails with the service\'s own decoding error', async (scene) => {
    const run = await faultDrill(scene, (port) => ({
      service: { start: `python3 app.py --port ${port} --api whisper-cpp`, url: `http://127.0.0.1:${port}`, ready: { path: '/health', timeoutSec: 30 } },
      assertions: [{ name: 'not audio', api: 'whisper-cpp', audio: 'config.yaml', expect: { contains: '欢迎' } }],
    }));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /not audio: POST http:\/\/127\.0\.0\.1:\d+\/inference → 500: FFmpeg conversion failed\.$/ });
  });

  fault('inputs', 'a cold archive with a ../ entry — fetch refuses it by name; nothing is written outside the workspace', async (scene) => {
    const file = path.join(scene.dir, 'whisper-backup-20261101.tar.gz');
    const pack = tar.pack();
    const writing = pipeline(pack, createGzip(), createWriteStream(file));
    pack.entry({ name: 'app.py' }, 'print("hi")\n');
    pack.entry({ name: '../escaped.txt' }, 'out\n');
    pack.finalize();
    await writing;
    const run = await faultDrill(scene, (port) => ({ service: faultyService('none', port) }), { archive: pathToFileURL(file).href });
    const failing = run.record.steps.find((s) => s.status === 'failed');
    expect(failing?.error?.message).toMatch(/entry "\.\.\/escaped\.txt" refused: a path that climbs out with "\.\."/);
    expect(run.record.verdict).toBe('failed');
    expect(existsSync(path.join(scene.tmp, 'escaped.txt'))).toBe(false);
    expect(existsSync(path.join(path.dirname(run.record.workdir), 'escaped.txt'))).toBe(false);
  });
});
