/**
 * A new node: `setup` leaves the service running detached, with its pid file and log in
 * DIR/.whisper-drill/ and the way to stop it in the report; `stop` ends it; a second setup into the
 * same directory is refused while it runs and restores anew once stopped; another directory with
 * something in it is refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, stopProcessGroup } from '../../src/adapters/process-group.js';
import { describeRun, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { verifyUnits } from '../helpers/systemd.js';

const TIMEOUT_MS = 120_000;
let scratch = '';
let plan = '';
let url = '';
let node = '';
const started: number[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-setup-'));
  const written = await writeDemoPlan(path.join(scratch, 'demo.yaml'));
  plan = written.file;
  url = `http://127.0.0.1:${written.port}/`;
  node = path.join(scratch, 'node');
});
afterAll(async () => {
  // Whatever a failed assertion left running is stopped here.
  for (const pid of started) if (groupAlive(pid)) await stopProcessGroup(pid, 5_000);
  await rm(scratch, { recursive: true, force: true });
});

async function setup(dir: string, ...extra: string[]) {
  return runCli(['setup', '--plan', plan, '--dir', dir, '--yes', '--report-dir', path.join(scratch, 'reports'), ...extra], { cwd: scratch, timeoutMs: TIMEOUT_MS });
}

async function pidOf(dir: string): Promise<number> {
  const pid = Number((await readFile(path.join(dir, '.whisper-drill', 'service.pid'), 'utf8')).trim());
  started.push(pid);
  return pid;
}

describe.sequential('setup and stop', () => {
  it('setup leaves the service running detached, its pid file and log in DIR, and says how to stop it', async () => {
    const result = await setup(node);
    expect(result.code, describeRun(result)).toBe(0);
    const pid = await pidOf(node);
    expect(groupAlive(pid)).toBe(true);
    expect((await fetch(url)).ok).toBe(true);
    expect(result.stderr).toContain(`stop it with: whisper-drill stop --dir ${node}`);
    expect(await readFile(path.join(node, '.whisper-drill', 'service.log'), 'utf8')).not.toBe('');
    // The state folder is kept out of git's view of the restored tree.
    expect(execFileSync('git', ['-C', node, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' })).not.toContain('.whisper-drill');
    const reports = path.join(scratch, 'reports', 'demo');
    const [folder] = await readdir(reports);
    const report = JSON.parse(await readFile(path.join(reports, folder!, 'report.json'), 'utf8'));
    expect(report.service.leftRunning).toEqual({ pid, url: url.replace(/\/$/, ''), stop: `whisper-drill stop --dir ${node}`, log: path.join(node, '.whisper-drill', 'service.log') });
    expect(await readFile(path.join(reports, folder!, 'report.md'), 'utf8')).toContain(`whisper-drill stop --dir ${node}`);
  }, TIMEOUT_MS);

  it('check on the node whose service runs is healthy: the service holding its own port is the node up, not a conflict', async () => {
    const port = new URL(url).port;
    const result = await runCli(['check', '--plan', plan, '--yes', '--report-dir', path.join(scratch, 'check-reports')], { cwd: scratch, timeoutMs: 60_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stderr + result.stdout).toMatch(new RegExp(`\\[ok  \\] Port ${port}: in use by pid \\d+ \\(python[^)]*\\), which answers at ${url.replace(/[.]/g, '\\.')} \\(HTTP 200\\): the service is up`));
    expect(result.stderr + result.stdout).not.toMatch(/kill \d+/);
  });

  it('refuses to set up again into the same directory while its service runs', async () => {
    const result = await setup(node);
    expect(result.code, describeRun(result)).toBe(2);
    expect(result.stderr).toContain('still runs');
    expect(result.stderr).toContain(`whisper-drill stop --dir ${node}`);
  });

  it('stop ends the whole process group and says what it stopped', async () => {
    const pid = await pidOf(node);
    const result = await runCli(['stop', '--dir', node], { cwd: scratch, timeoutMs: 30_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^demo v1\\.3-signed-release \\(\`.*app\\.py --port \\d+\`, http://127\\.0\\.0\\.1:\\d+, process group ${pid}\\): stopped with SIGTERM in \\d+ ms$`, 'm'));
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(path.join(node, '.whisper-drill', 'service.pid'))).toBe(false);
    const again = await runCli(['stop', '--dir', node], { cwd: scratch, timeoutMs: 30_000 });
    expect(again.stdout).toContain('had already exited');
  });

  it('sets up anew into the directory of a stopped setup of the same backup, and refuses any other non-empty one', async () => {
    const result = await setup(node);
    expect(result.code, describeRun(result)).toBe(0);
    const pid = await pidOf(node);
    expect((await runCli(['stop', '--dir', node], { cwd: scratch, timeoutMs: 30_000 })).code).toBe(0);
    expect(groupAlive(pid)).toBe(false);
    const other = path.join(scratch, 'other');
    await mkdir(other);
    await writeFile(path.join(other, 'notes.txt'), 'the operator\'s\n');
    const refused = await setup(other);
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toContain('is not empty and holds no setup');
    expect(await readdir(other)).toEqual(['notes.txt']);
    const noSetup = await runCli(['stop', '--dir', other], { cwd: scratch, timeoutMs: 30_000 });
    expect(noSetup.code).toBe(2);
  }, TIMEOUT_MS);

  it('setup --systemd stops the verified service and writes a unit for it that systemd-analyze verify accepts', async () => {
    const dir = path.join(scratch, 'systemd-node');
    const result = await setup(dir, '--systemd');
    expect(result.code, describeRun(result)).toBe(0);
    const unit = path.join(dir, '.whisper-drill', 'whisper-demo.service');
    expect(result.stderr).toContain(`systemd unit written to ${unit}; run it with: cp ${unit} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now whisper-demo.service`);
    expect(result.stderr).toMatch(/service stopped with SIGTERM/);
    const text = await readFile(unit, 'utf8');
    expect(text).toContain(`WorkingDirectory=${dir}\n`);
    expect(text).toMatch(/^ExecStart=\/bin\/sh -c "\.venv\/bin\/python app\.py --port \d+"$/m);
    expect(text).toContain('KillMode=control-group');
    expect(await verifyUnits([unit])).toEqual({ code: 0, output: '' });
    expect(existsSync(path.join(dir, '.whisper-drill', 'service.pid')), 'nothing left running by whisper-drill').toBe(false);
  }, TIMEOUT_MS);
});
