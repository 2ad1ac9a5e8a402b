/**
 * Faults of the processes a drill runs, and of the drill's own process: an install that hangs past its
 * limit, pip and git killed by a signal mid-step, the drill told to stop (SIGTERM, SIGHUP: the terminal
 * closed), the disk filling up mid-restore (a small tmpfs in a mount namespace of the test's own).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import YAML from 'yaml';
import type { DrillRecord } from '../../src/model/record.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { expectFailure, fault, type Scene } from './harness.js';
import { faultDrill, faultyService, sharedCache, stepOf } from './drill.js';
import { claimFile } from '../../src/core/workspace-claim.js';
import { freePort } from '../helpers/sample.js';

const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/** A folder for stand-ins, first on PATH for the drill's tools. */
async function standIns(scene: Scene, scripts: Record<string, string>): Promise<Record<string, string>> {
  const bin = path.join(scene.dir, 'bin');
  await mkdir(bin, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) await writeFile(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { PATH: `${bin}:${process.env['PATH']}` };
}

/**
 * What a drill killed outright leaves: its claim on `workspace` (its pid one no process has) and its service,
 * still running there, marked with that drill's run id.
 */
async function killedDrillLeft(workspace: string, runId: string, claim: Record<string, unknown>): Promise<{ left: ChildProcess; gone: ChildProcess }> {
  const left = spawn('sleep', ['60'], { cwd: workspace, detached: true, stdio: 'ignore', env: { ...process.env, WHISPER_DRILL_RUN_ID: runId } });
  left.unref();
  const gone = spawn('true');
  await new Promise((resolve) => gone.on('exit', resolve));
  await mkdir(path.dirname(claimFile(sharedCache(), workspace)), { recursive: true });
  await writeFile(claimFile(sharedCache(), workspace), JSON.stringify({ workspace, pid: gone.pid, startTicks: '1', startedAt: '2026-12-05T03:00:00.000Z', service: { pgid: left.pid, runId }, ...claim }));
  return { left, gone };
}

describe('the tools a drill runs', () => {
  fault('process', 'the install hangs past its limit — install fails naming the command and the limit; the hung command is gone', async (scene) => {
    const run = await faultDrill(scene, (port) => ({ install: { commands: ['sleep 60'], timeoutSec: 1 }, service: faultyService('none', port) }));
    expectFailure(run.record, { verdict: 'failed', step: 'install', message: /sleep 60.*(did not finish within|1 s)/ });
    expect(stepOf(run, 'start')?.status).toBe('skipped');
  });

  fault('process', 'pip killed by a signal mid-install — install fails naming pip and the signal', async (scene) => {
    const env = await standIns(scene, { pip: 'echo "Collecting torch==2.13.0"\nkill -KILL $$' });
    const run = await faultDrill(scene, (port) => ({ install: { commands: ['pip install -r requirements.txt'], timeoutSec: 60 }, service: faultyService('none', port) }), { env });
    expectFailure(run.record, { verdict: 'failed', step: 'install', message: /`pip install -r requirements\.txt` exited with 137 \(SIGKILL\)/ });
  });

  fault('process', 'git killed by a signal mid-clone — fetch fails naming the git command and the signal', async (scene) => {
    const env = await standIns(scene, { git: `case " $* " in *" clone "*) kill -KILL $$;; esac\nexec "${realGit}" "$@"` });
    const run = await faultDrill(scene, (port) => ({ service: faultyService('none', port) }), { env });
    expectFailure(run.record, { verdict: 'failed', step: 'fetch', message: /^`git .*clone .*` exited with (a signal|SIGKILL)/ });
  });
});

describe('the drill itself', () => {
  /** A drill of the sample through the built CLI, told `signal` once its service has said its first line. */
  async function signalled(scene: Scene, signal: NodeJS.Signals): Promise<{ code: number | null; record: DrillRecord; stderr: string }> {
    const port = await freePort();
    const plan = path.join(scene.dir, 'plan.yaml');
    await writeFile(plan, YAML.stringify({
      name: 'signalled',
      snapshot: { repo: 'builtin:sample-backup' },
      environment: { ports: [port] },
      install: { commands: ['true'] },
      service: { ...faultyService('none', port), start: `echo starting; sleep 30; ${String(faultyService('none', port)['start'])}` },
      assertions: [{ name: 'mandarin sample', api: 'openai', audio: 'example/test_cn.wav', expect: { contains: '欢迎' } }],
    }));
    let sent = false;
    const result = await runCli(['drill', '--plan', plan, '--tag', 'v1.2-config-tuned', '--json', '--report-dir', path.join(scene.dir, 'reports')], {
      cwd: scene.dir,
      timeoutMs: 60_000,
      onStdoutLine: (line, child) => {
        const event = JSON.parse(line) as { type: string; step?: string; stream?: string };
        if (!sent && event.type === 'log' && event.step === 'start' && event.stream !== 'info') {
          sent = true;
          child.kill(signal);
        }
      },
    });
    // Not sent: the drill ended before its service said a word; its last events say why.
    expect(sent, `${result.stderr}\n${result.stdout.trim().split('\n').slice(-4).join('\n')}`).toBe(true);
    const folder = path.join(scene.dir, 'reports', 'signalled');
    const [report] = await readdir(folder);
    const record = JSON.parse(await readFile(path.join(folder, report!, 'report.json'), 'utf8')) as DrillRecord;
    return { code: result.code, record, stderr: result.stderr };
  }

  for (const [signal, why] of [['SIGTERM', 'told to stop'], ['SIGHUP', 'its terminal closed']] as const) {
    fault('process', `the drill gets ${signal} (${why}) while the service starts — exit 130, verdict aborted, service stopped, report saved`, async (scene) => {
      const { code, record } = await signalled(scene, signal);
      expect(code).toBe(130);
      expectFailure(record, { verdict: 'aborted', step: 'start', message: /interrupted/ });
      expect(record.steps.find((s) => s.id === 'teardown')).toMatchObject({ status: 'passed', summary: expect.stringMatching(/service stopped with SIGTERM/) });
    });
  }
});

describe('the disk', () => {
  const canMount = (() => {
    try {
      execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  // Root (or a user namespace) is needed to mount; where it cannot, the case is not injected, and the count says so.
  (canMount ? fault : () => undefined)('process', 'the disk fills up mid-restore (a 24 MiB tmpfs, a 64 MiB backup) — fetch names the disk, the bytes needed and its size; nothing is left on it', async (scene) => {
    const disk = path.join(scene.dir, 'disk');
    await mkdir(disk);
    const port = await freePort();
    const plan = path.join(scene.dir, 'plan.yaml');
    await writeFile(plan, YAML.stringify({ name: 'disk-full', snapshot: { repo: 'builtin:sample-backup' }, install: { commands: ['true'] }, service: faultyService('none', port) }));
    const reports = path.join(scene.dir, 'reports');
    // The drill in a mount namespace of its own, where `disk` is a 24 MiB tmpfs: the host's mounts are untouched.
    const script = `mount -t tmpfs -o size=24m tmpfs "$1" || exit 99; "${process.execPath}" "${cliPath}" drill --plan "$2" --tag v1.2-config-tuned --json --workdir "$1/ws" --report-dir "$3"; code=$?; echo "leftover: $(ls -A "$1")" >&2; exit $code`;
    const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', disk, plan, reports], { cwd: scene.dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(output.code, output.stderr).toBe(1);
    expect(output.stderr).toMatch(/^leftover: $/m);
    const folder = path.join(reports, 'disk-full');
    const [report] = await readdir(folder);
    const record = JSON.parse(await readFile(path.join(folder, report!, 'report.json'), 'utf8')) as DrillRecord;
    expect(record.verdict).toBe('failed');
    const fetch = record.steps.find((s) => s.id === 'fetch');
    expect(fetch?.status).toBe('failed');
    expect(fetch?.error?.message).toMatch(new RegExp(`^no space left on ${disk.replace(/[.]/g, '\\.')} \\(the workspace ${disk.replace(/[.]/g, '\\.')}/ws\\): the backup's LFS objects need 64\\.1 MiB; the filesystem holds 24\\.0 MiB, [\\d.]+ [KM]?i?B of it free$`));
    expect(fetch?.error?.hint).toMatch(/--workdir on a larger disk/);
    expect(existsSync(path.join(disk, 'ws'))).toBe(false);
  });
});

describe('two drills, one workspace', () => {
  fault('process', 'a second drill on a workspace another drill holds — refused before any step, naming the holder', async (scene) => {
    const workdir = path.join(scene.dir, 'ws');
    const abort = new AbortController();
    let second: unknown;
    const first = faultDrill(scene, (port) => ({ service: faultyService('never-ready', port) }), { workdir, signal: abort.signal }, (event) => {
      if (event.type !== 'step-start' || event.step !== 'start' || second !== undefined) return;
      second = faultDrill(scene, (port) => ({ service: faultyService('none', port) }), { workdir }).then(
        () => new Error('the second drill ran'),
        (error: unknown) => error,
      ).finally(() => abort.abort(new Error('done')));
    });
    const run = await first;
    const refused = (await second) as Error;
    expect(refused.message).toMatch(new RegExp(`^${workdir.replace(/[.]/g, '\\.')} is in use by another drill: pid ${process.pid} \\(\`.*\`\\), started \\d{4}-\\d\\d-\\d\\dT`));
    expect((refused as Error & { hint?: string }).hint).toMatch(/wait for it to end, or restore into another --workdir/);
    expect(run.record.verdict).toBe('aborted');
  });

  fault('process', 'a drill killed mid-restore (SIGKILL) — the next drill on its workspace stops what it left running, clears it, says so, and passes', async (scene) => {
    const workdir = path.join(scene.dir, 'ws');
    await mkdir(path.join(workdir, 'models'), { recursive: true });
    await writeFile(path.join(workdir, 'models', 'large-v3.pt'), 'half a model');
    const { left, gone } = await killedDrillLeft(workdir, 'run-of-the-killed-drill', { command: 'whisper-drill drill --plan plan.yaml --workdir ws', steps: [{ id: 'environment', status: 'passed' }, { id: 'snapshot', status: 'passed' }] });
    const run = await faultDrill(scene, (port) => ({ service: faultyService('none', port) }), { workdir });
    expect(run.record.verdict, JSON.stringify(run.record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
    const said = run.events.find((e) => e.type === 'notice' && e.line.startsWith('took over'));
    // In the report too, for whoever reads it later.
    expect(run.record.notices).toContainEqual(expect.stringMatching(/^took over /));
    expect(said).toMatchObject({ line: expect.stringMatching(new RegExp(`^took over ${workdir.replace(/[.]/g, '\\.')} from a drill that is gone: pid ${gone.pid} \\(\`whisper-drill drill --plan plan\\.yaml --workdir ws\`\\), started 2026-12-05T03:00:00\\.000Z; it had run environment \\(passed\\), snapshot \\(passed\\); ended 1 process\\(es\\) of its service, still running \\(pid ${left.pid}; process group ${left.pid} then\\); what it restored was cleared$`)) });
    expect(existsSync(`/proc/${left.pid}/cmdline`) && (await readFile(`/proc/${left.pid}/stat`, 'utf8').catch(() => '')).split(' ')[2] !== 'Z').toBe(false);
  });
});

describe('a drill killed during assert, its service left running', () => {
  fault('process', 'the next drill of the plan (a workspace of its own) ends the service the killed one left (which would hold its GPU memory for good), says so, names the killed workspace to resume, and passes', async (scene) => {
    const killed = path.join(scene.dir, 'killed-ws');
    await mkdir(killed, { recursive: true });
    // The killed drill's service: in a namespace of its own its port is free on the host, so nothing else would notice it.
    const { left } = await killedDrillLeft(killed, 'run-of-the-killed-drill-2', { command: 'whisper-drill drill --plan plan.yaml', aliveAt: '2026-12-05T03:00:09.000Z', plan: 'fault', mode: 'drill', steps: [{ id: 'assert', status: 'running' }] });
    scene.defer(() => rm(claimFile(sharedCache(), killed), { force: true }));
    const run = await faultDrill(scene, (port) => ({ service: faultyService('none', port) }));
    expect(run.record.verdict, JSON.stringify(run.record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
    const lines = run.events.flatMap((e) => (e.type === 'notice' ? [e.line] : []));
    expect(run.record.notices).toEqual(lines);
    expect(lines).toContainEqual(`a drill of fault killed after 2026-12-05T03:00:09.000Z in ${killed} had left processes running: ended 1 process(es) of its service, still running (pid ${left.pid}; process group ${left.pid} then)`);
    expect(lines).toContainEqual(`a drill of fault killed after 2026-12-05T03:00:09.000Z left its workspace ${killed}: go on with it (whisper-drill drill --resume ${killed}) or remove it`);
    expect(existsSync(`/proc/${left.pid}/cmdline`) && (await readFile(`/proc/${left.pid}/stat`, 'utf8').catch(() => '')).split(' ')[2] !== 'Z').toBe(false);
  });
});

describe('a second interrupt', () => {
  fault('process', 'Ctrl-C twice (the second while teardown waits on a service that ignores SIGTERM) — exit 130 at once, every process killed, the report saved as aborted, the workspace removed', async (scene) => {
    const port = await freePort();
    const plan = path.join(scene.dir, 'plan.yaml');
    await writeFile(plan, YAML.stringify({
      name: 'forced',
      snapshot: { repo: 'builtin:sample-backup' },
      environment: { ports: [port] },
      install: { commands: ['true'] },
      // A service that ignores SIGTERM (so is its sleep): teardown would wait out its 60 s grace.
      service: { start: "trap '' TERM; echo starting; exec sleep 120", url: `http://127.0.0.1:${port}`, ready: { path: '/', timeoutSec: 60 }, stopTimeoutSec: 60 },
      assertions: [{ name: 'mandarin sample', api: 'openai', audio: 'example/test_cn.wav', expect: { contains: '欢迎' } }],
    }));
    let interrupts = 0;
    const began = performance.now();
    const result = await runCli(['drill', '--plan', plan, '--tag', 'v1.2-config-tuned', '--json', '--report-dir', path.join(scene.dir, 'reports')], {
      cwd: scene.dir,
      timeoutMs: 60_000,
      onStdoutLine: (line, child) => {
        const event = JSON.parse(line) as { type: string; step?: string; stream?: string };
        if (interrupts === 0 && event.type === 'log' && event.step === 'start' && event.stream !== 'info') {
          interrupts = 1;
          child.kill('SIGINT');
        } else if (interrupts === 1 && event.type === 'step-start' && event.step === 'teardown') {
          interrupts = 2;
          child.kill('SIGINT');
        }
      },
    });
    expect(interrupts, result.stderr).toBe(2);
    expect(result.code).toBe(130);
    expect(performance.now() - began).toBeLessThan(30_000);
    const folder = path.join(scene.dir, 'reports', 'forced');
    const [report] = await readdir(folder);
    const record = JSON.parse(await readFile(path.join(folder, report!, 'report.json'), 'utf8')) as DrillRecord;
    expect(record).toMatchObject({ verdict: 'aborted', exitCode: 130, verdictReasons: ['forced exit: interrupted again before teardown ended; every process of the drill was killed'] });
    expect(record.steps.map((s) => s.id)).toContain('start');
  });
});
