/**
 * The built CLI's surface: help and version, usage errors (exit 2, naming the flag), invalid plans
 * (exit 2, naming file:line:col and the key), and `check` of a plan that needs an NVIDIA GPU.
 * Nothing here starts a drill or uses the demo plan's port.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { makeFakeBin, withPath } from '../helpers/fake-bin.js';

const DEMO_PLAN = path.join(repoRoot, 'drills', 'demo.yaml');
const GPU_PLAN = path.join(repoRoot, 'drills', 'whisper-large-v3.yaml');

let scratch = '';
let cwd = '';

beforeAll(async () => {
  scratch = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-e2e-cli-')));
  cwd = path.join(scratch, 'cwd');
  await mkdir(cwd);
});

afterEach(async () => {
  // Every case starts from an empty working directory; a case that wrote into it fails in its own check first.
  for (const entry of await readdir(cwd)) await rm(path.join(cwd, entry), { recursive: true, force: true });
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function cli(args: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<CliResult> {
  return runCli(args, { cwd, timeoutMs: 60_000, ...(env ? { env } : {}) });
}

/** Exit 2, a message on stderr, usage help pointed to, nothing on stdout, nothing written. */
async function expectUsageError(result: CliResult): Promise<string> {
  expect(result.code, describeRun(result)).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^whisper-drill: /);
  expect(result.stderr.includes('\x1b')).toBe(false);
  expect(await readdir(cwd), 'a usage error writes nothing').toEqual([]);
  return result.stderr;
}

describe('whisper-drill --help and --version', () => {
  it('--help exits 0 and lists the commands', async () => {
    const result = await cli(['--help']);
    expect(result.code, describeRun(result)).toBe(0);
    for (const command of ['drill', 'setup', 'check', 'history', 'demo']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\s{2,}\\S`, 'm'));
    }
    expect(result.stdout).toContain('Exit codes:');
    expect(result.stdout.includes('\x1b')).toBe(false);
  });

  it("--version prints package.json's version", async () => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await cli(['--version']);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});

describe('usage errors exit 2 and name the flag', () => {
  it('drill without --tag or --yes and without a terminal', async () => {
    const message = await expectUsageError(await cli(['drill', '--plan', DEMO_PLAN]));
    expect(message).toContain('--tag');
    expect(message).toContain('--yes');
  });

  it('an unknown flag', async () => {
    const message = await expectUsageError(await cli(['demo', '--yes', '--frobnicate']));
    expect(message).toContain('--frobnicate');
  });

  it('a flag the command does not take', async () => {
    const message = await expectUsageError(await cli(['check', '--plan', DEMO_PLAN, '--tag', 'v1.0-model-large-v3']));
    expect(message).toContain('--tag');
  });

  it('an unknown command', async () => {
    const message = await expectUsageError(await cli(['restore']));
    expect(message).toContain('"restore"');
  });

  it('setup without --dir', async () => {
    const message = await expectUsageError(await cli(['setup', '--plan', DEMO_PLAN, '--yes']));
    expect(message).toContain('--dir');
  });
});

describe('invalid plans exit 2 and name file:line:col', () => {
  const plans: Array<{ what: string; text: string; at: string; names: string }> = [
    {
      what: 'an unknown key',
      text: ['name: t', 'snapshot:', '  repo: https://example.invalid/r.git', '  tagz: "v*"', 'service:', '  start: ./run', '  url: http://127.0.0.1:8000', ''].join('\n'),
      at: '4:3',
      names: 'snapshot.tagz',
    },
    {
      what: 'a wrong type',
      text: ['name: t', 'snapshot:', '  repo: https://example.invalid/r.git', 'service:', '  start: ./run', '  url: http://127.0.0.1:8000', '  stopTimeoutSec: "ten"', ''].join('\n'),
      at: '7:19',
      names: 'service.stopTimeoutSec',
    },
    {
      what: 'a YAML syntax error',
      text: ['name: t', 'snapshot:', '  repo: https://example.invalid/r.git', '  tags: [v*, ]]', 'service:', '  start: ./run', ''].join('\n'),
      at: '4:15',
      names: 'invalid YAML',
    },
  ];

  for (const plan of plans) {
    it(`${plan.what}: ${plan.at} ${plan.names}`, async () => {
      const file = path.join(scratch, `bad-${plan.at.replace(':', '-')}.yaml`);
      await writeFile(file, plan.text);
      for (const args of [
        ['drill', '--plan', file, '--tag', 'v1'],
        ['check', '--plan', file],
      ]) {
        const message = await expectUsageError(await cli(args));
        expect(message, args.join(' ')).toContain(`${file}:${plan.at}: `);
        expect(message, args.join(' ')).toContain(plan.names);
      }
    });
  }

  it('a built-in repository that does not exist: a usage error before any step runs', async () => {
    const file = path.join(scratch, 'builtin.yaml');
    await writeFile(file, ['name: t', 'snapshot: { repo: "builtin:nope" }', 'service: { start: ./run, url: "http://127.0.0.1:8000" }', ''].join('\n'));
    const result = await cli(['drill', '--plan', file, '--tag', 'v1', '--json']);
    const message = await expectUsageError(result);
    expect(message).toContain('builtin:nope: the only built-in repository is builtin:sample-backup');
  });

  it('a plan file that does not exist', async () => {
    const file = path.join(scratch, 'missing.yaml');
    const message = await expectUsageError(await cli(['drill', '--plan', file, '--tag', 'v1']));
    expect(message).toContain(file);
  });
});

describe('check of a plan that requires an NVIDIA GPU', () => {
  const nvidiaOnPath = (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, 'nvidia-smi')));

  it.skipIf(nvidiaOnPath)('without nvidia-smi on this machine: exit 1, naming nvidia-smi', async () => {
    const result = await cli(['check', '--plan', GPU_PLAN, '--report-dir', path.join(scratch, 'reports')]);
    expect(result.code, describeRun(result)).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/^\s*\[FAIL\] NVIDIA driver: .*nvidia-smi/m);
    expect(output).toMatch(/^UNHEALTHY: /m);
  });

  it('with a driver that is not loaded (nvidia-smi exit 9): UNHEALTHY (exit 1), naming nvidia-smi, in text, NDJSON and metrics', async () => {
    const bin = path.join(scratch, 'bin');
    await mkdir(bin, { recursive: true });
    await makeFakeBin(bin, 'nvidia-smi', {
      stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
      exitCode: 9,
    });
    const plan = path.join(scratch, 'gpu-node.yaml');
    await writeFile(
      plan,
      [
        'name: gpu-node',
        'snapshot:',
        '  repo: https://example.invalid/whisper-backup.git',
        'environment:',
        '  nvidia: { required: true, cuda: ">=12.1", minFreeMiB: 10240 }',
        'service:',
        '  start: ./run',
        '  url: http://127.0.0.1:7860',
        '',
      ].join('\n'),
    );
    const env = withPath(bin);

    const reports = ['--report-dir', path.join(scratch, 'reports')];
    const metrics = path.join(scratch, 'check.prom');
    const text = await cli(['check', '--plan', plan, '--metrics-file', metrics, ...reports], env);
    // The shipped alert rules fire on verdict="failed" (not on an inconclusive check): the metrics say failed.
    expect(await readFile(metrics, 'utf8')).toMatch(/^whisper_drill_verdict\{[^}]*verdict="failed"[^}]*\} 1$/m);
    // The probe ran and answered that the GPU cannot be used: failed (exit 1), not "could not be asked".
    expect(text.code, describeRun(text)).toBe(1);
    expect(text.stdout + text.stderr).toMatch(/^\s*\[FAIL\] NVIDIA driver: .*nvidia-smi/m);
    expect(text.stdout + text.stderr).toMatch(/^UNHEALTHY: /m);

    const json = await cli(['check', '--plan', plan, '--json', ...reports], env);
    expect(json.code, describeRun(json)).toBe(1);
    const events = json.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; verdict?: string; check?: { id: string; status: string; measured: string } });
    expect(events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'failed', exitCode: 1 });
    const nvidia = events.find((e) => e.type === 'check' && e.check?.id === 'nvidia')?.check;
    expect(nvidia?.status).toBe('failed');
    expect(nvidia?.measured).toContain('nvidia-smi');
  });
});
