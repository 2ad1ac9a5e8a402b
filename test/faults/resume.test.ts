/**
 * A drill killed outright (SIGKILL: no handler runs, nothing is cleaned up) mid-fetch, then resumed with
 * `--resume latest`: what it left running is stopped, its clone kept, the LFS files it had placed re-hashed,
 * its partial model download gone on from the blocks it had written (a Range request from there), and the
 * RTO counts both runs' spans. The LFS server is a real `git http-backend` + Batch API on loopback that
 * stalls every download past 10 MiB for the first run.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import YAML from 'yaml';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord } from '../../src/model/record.js';
import { runCli } from '../helpers/cli.js';
import { startLfsServer } from '../helpers/lfs-server.js';
import { freePort, gitText, sampleBackup } from '../helpers/sample.js';
import { fault, type Scene } from './harness.js';
import { faultyService } from './drill.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { allClaims, type WorkspaceClaim } from '../../src/core/workspace-claim.js';

const USER = 'drill-bot';
const SECRET = 'glpat-R3sum3T0k3nQ9x';
const STALL = 10 * 1024 * 1024;

describe('a drill killed mid-fetch', () => {
  fault('process', 'SIGKILL mid-download, then --resume latest — the clone kept, placed files re-hashed, the partial model gone on from its blocks, both spans counted, passed', async (scene) => {
    const sample = await sampleBackup();
    const server = await startLfsServer({ root: path.dirname(sample.repoDir), username: USER, password: SECRET, faults: { stallAfterBytes: STALL } });
    scene.defer(() => server.stop());
    const port = await freePort();
    const plan = path.join(scene.dir, 'plan.yaml');
    await writeFile(plan, YAML.stringify({
      name: 'resumed',
      snapshot: { repo: `${server.url}/${path.basename(sample.repoDir)}`, auth: { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' } },
      environment: { ports: [port] },
      // The first run's install hangs (it is left running when that run is killed); the resumed run's passes.
      install: { commands: [`if [ ! -e ${path.join(scene.dir, 'installed-once')} ]; then touch ${path.join(scene.dir, 'installed-once')}; exec sleep 120; fi`] },
      service: faultyService('none', port),
      assertions: [{ name: 'mandarin sample', api: 'openai', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务', maxCER: 0.1 } }],
    }));
    const env = { BACKUP_USER: USER, BACKUP_TOKEN: SECRET };
    const reports = path.join(scene.dir, 'reports');

    // The first run: killed once every other object has landed and the model's download has stalled after its first 10 MiB.
    const modelPointer = await gitText(['--git-dir', sample.repoDir, 'show', 'v1.2-config-tuned:models/large-v3.pt']);
    const modelSize = Number(/^size (\d+)$/m.exec(modelPointer)![1]);
    let killedPid: number | undefined;
    const first = await runCli(['drill', '--plan', plan, '--tag', 'v1.2-config-tuned', '--json', '--report-dir', reports], {
      cwd: scene.dir,
      env,
      timeoutMs: 20_000,
      onStdoutLine: (line, child) => {
        const event = JSON.parse(line) as DrillEvent;
        if (killedPid === undefined && event.type === 'progress' && event.step === 'fetch' && event.progress.total !== undefined && event.progress.current >= event.progress.total - (modelSize - STALL)) {
          killedPid = child.pid;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killedPid, first.stderr).toBeDefined();
    expect(first.signal).toBe('SIGKILL');
    const [left] = allClaims(process.env['WHISPER_DRILL_CACHE']!).filter((claim) => claim.pid === killedPid);
    expect(left).toMatchObject({ plan: 'resumed', mode: 'drill', created: true, tag: { name: 'v1.2-config-tuned' } });
    expect(left!.steps).toContainEqual({ id: 'fetch', status: 'running' });
    const workspace = left!.workspace;
    const partial = (await readdir(path.join(workspace, 'models'))).find((name) => name.endsWith('.whisper-drill-part'));
    expect(partial, 'the killed download left its partial file').toBeDefined();

    // A resume while the storage still fails (every download 503, no retries): fetch fails; the workspace and
    // what it holds stay for the next --resume, and so does this run's claim, its span to count.
    server.faults.stallAfterBytes = undefined;
    server.faults.downloadStatus = 503;
    const noRetries = { GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'lfs.transfer.maxretries', GIT_CONFIG_VALUE_0: '0', GIT_CONFIG_KEY_1: 'lfs.transfer.maxretrydelay', GIT_CONFIG_VALUE_1: '0' };
    const failed = await runCli(['drill', '--plan', plan, '--resume', 'latest', '--json', '--report-dir', reports], { cwd: scene.dir, env: { ...env, ...noRetries }, timeoutMs: 60_000 });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toContain(`workspace kept at ${workspace} for a later --resume (its restore was not verified)`);
    expect(existsSync(path.join(workspace, '.git'))).toBe(true);

    // The last: the server whole again; the tag comes from the killed run.
    server.faults.downloadStatus = undefined;
    server.requests.length = 0;
    const second = await runCli(['drill', '--plan', plan, '--resume', 'latest', '--json', '--report-dir', reports], { cwd: scene.dir, env, timeoutMs: 90_000 });
    expect(second.code, second.stderr).toBe(0);
    const folder = path.join(reports, 'resumed');
    const end = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as DrillEvent).find((e) => e.type === 'drill-end') as Extract<DrillEvent, { type: 'drill-end' }>;
    expect(path.dirname(end.reportDir!)).toBe(folder);
    const record = JSON.parse(await readFile(path.join(end.reportDir!, 'report.json'), 'utf8')) as DrillRecord;
    expect(record.verdict).toBe('passed');
    expect(record.snapshot.tag).toBe('v1.2-config-tuned');

    // The killed run, with its span; the steps it had begun, redone or resumed.
    // The killed run and the failed resume, each with its span.
    const earlier = record.resumed!.earlier;
    expect(earlier).toHaveLength(2);
    expect(earlier[0]).toMatchObject({ pid: killedPid, startedAt: left!.startedAt });
    expect(earlier[1]).toMatchObject({ pid: failed.pid });
    expect(earlier[0]!.ms).toBeGreaterThan(0);
    const step = (id: string) => record.steps.find((s) => s.id === id)!;
    expect(step('environment').resume).toBe('redone');
    expect(step('snapshot').resume).toBe('redone');
    expect(step('fetch').resume).toBe('resumed');
    expect(step('fetch').summary).toMatch(/the killed drill's clone kept, .*1 download\(s\) gone on from its 10(\.0)? MiB \(re-hashed\)/);
    expect(step('fetch').summary).toMatch(/2 LFS object\(s\) it had placed re-hashed and kept/);
    expect(step('fetch').evidence['keptFromKilledRun']).toMatchObject({ clone: true, objects: 2, partialObjects: 1, partialBytes: STALL });
    expect(step('start').resume).toBeUndefined();
    // The model was asked for from byte 10 MiB on; the objects it had placed whole were not asked for again.
    const storage = server.requests.filter((r) => r.port === 'storage');
    expect(storage.map((r) => r.headers['range'])).toEqual([`bytes=${STALL}-`]);
    expect(second.stdout).toMatch(/"step":"fetch","stream":"info","line":"kept the clone at [0-9a-f]{12}; its \d+ other file\(s\) written again from git's objects, anything else the killed run had made there removed"/);
    // Both spans count, not the time between them.
    expect(record.rto.thisRunMs).toBeGreaterThan(0);
    expect(record.rto.totalMs).toBe(record.rto.thisRunMs! + earlier[0]!.ms + earlier[1]!.ms);
    expect(record.rto.recoveryMs).toBeGreaterThan(earlier[0]!.recoveryMs! + earlier[1]!.recoveryMs!);
    // The resumed drill said so first, and ended as a drill does: its scratch workspace gone, no claim left.
    expect(record.resumed!.said).toMatch(new RegExp(`^resuming the drill killed in ${workspace}: pid ${failed.pid} \\(\`whisper-drill drill --plan .* --resume latest .*\`\\), started \\S+, last seen \\S+; it had run .*fetch \\(failed\\).*; what it restored is re-checked \\(every LFS file re-hashed\\), never trusted$`));
    // The killed run's hung install was ended by the first resume (it carried that run's id).
    const hung = Number(/still running \(pid (\d+)\)/.exec(failed.stdout)![1]);
    expect(existsSync(`/proc/${hung}`) && !(await readFile(`/proc/${hung}/stat`, 'utf8').catch(() => ' Z ')).includes(') Z ')).toBe(false);
    expect(step('install').resume).toBe('redone');
    expect(existsSync(workspace)).toBe(false);
    expect(allClaims(process.env['WHISPER_DRILL_CACHE']!).filter((claim) => claim.workspace === workspace)).toEqual([]);
  });
});

/** `setup … --yes --json` killed outright (SIGKILL) as `step` starts; the claim it left in the drill cache. */
async function setupKilledAt(step: string, scene: Scene, args: readonly string[]): Promise<WorkspaceClaim | undefined> {
  let killedPid: number | undefined;
  const first = await runCli(['setup', ...args, '--yes', '--json'], {
    cwd: scene.dir,
    timeoutMs: 60_000,
    onStdoutLine: (line, child) => {
      const event = JSON.parse(line) as DrillEvent;
      if (killedPid === undefined && event.type === 'step-start' && event.step === step) {
        killedPid = child.pid;
        child.kill('SIGKILL');
      }
    },
  });
  expect(killedPid, first.stderr).toBeDefined();
  expect(first.signal).toBe('SIGKILL');
  return allClaims(process.env['WHISPER_DRILL_CACHE']!).find((claim) => claim.pid === killedPid);
}

describe('a setup killed while its service answers', () => {
  fault('process', 'SIGKILL during assert, then setup --resume latest — the service it left is ended, the node set up again from what it restored, left running', async (scene) => {
    const { file: plan, port } = await writeDemoPlan(path.join(scene.dir, 'demo.yaml'));
    const node = path.join(scene.dir, 'node');
    const reports = path.join(scene.dir, 'reports');
    const left = await setupKilledAt('assert', scene, ['--plan', plan, '--dir', node, '--report-dir', reports]);
    // The killed setup's service still answers, as it was left.
    expect(left).toMatchObject({ mode: 'setup', workspace: node, created: true, service: { runId: expect.any(String) } });
    expect((await fetch(`http://127.0.0.1:${port}/`)).ok).toBe(true);

    const second = await runCli(['setup', '--plan', plan, '--resume', 'latest', '--json', '--report-dir', reports], { cwd: scene.dir, timeoutMs: 90_000 });
    scene.defer(() => runCli(['stop', '--dir', node], { cwd: scene.dir, timeoutMs: 30_000 }));
    expect(second.code, second.stderr).toBe(0);
    const end = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as DrillEvent).find((e) => e.type === 'drill-end') as Extract<DrillEvent, { type: 'drill-end' }>;
    const record = JSON.parse(await readFile(path.join(end.reportDir!, 'report.json'), 'utf8')) as DrillRecord;
    expect(record.verdict).toBe('passed');
    expect(record.resumed!.said).toMatch(new RegExp(`ended \\d+ process\\(es\\) of its service, still running \\(pid [\\d, ]+; process group ${left!.service!.pgid} then\\)`));
    expect(record.steps.find((s) => s.id === 'fetch')).toMatchObject({ resume: 'resumed', summary: expect.stringMatching(/none fetched again/) });
    expect(record.steps.find((s) => s.id === 'start')!.resume).toBe('redone');
    // The new service is the one left running, in the same folder; the old one is gone.
    expect(record.service.leftRunning).toMatchObject({ url: `http://127.0.0.1:${port}`, stop: `whisper-drill stop --dir ${node}` });
    expect(record.service.leftRunning!.pid).not.toBe(left!.service!.pgid);
    expect(existsSync(`/proc/${left!.service!.pgid}/stat`) && !(await readFile(`/proc/${left!.service!.pgid}/stat`, 'utf8').catch(() => ' Z ')).includes(') Z ')).toBe(false);
    expect((await fetch(`http://127.0.0.1:${port}/`)).ok).toBe(true);
  });
});


describe('a setup --systemd killed while it installs', () => {
  fault('process', 'SIGKILL during install of setup --systemd, then setup --resume latest without the flag — the resumed setup hands the service to systemd as the killed one would have: unit written, nothing left running', async (scene) => {
    const { file: plan } = await writeDemoPlan(path.join(scene.dir, 'demo.yaml'));
    const node = path.join(scene.dir, 'node');
    const reports = path.join(scene.dir, 'reports');
    const left = await setupKilledAt('install', scene, ['--plan', plan, '--dir', node, '--systemd', '--report-dir', reports]);
    expect(left).toMatchObject({ mode: 'setup', workspace: node, systemd: true });

    const second = await runCli(['setup', '--plan', plan, '--resume', 'latest', '--yes', '--json', '--report-dir', reports], { cwd: scene.dir, timeoutMs: 90_000 });
    // Should it leave the service running after all (the flag lost), the case still ends it.
    scene.defer(() => runCli(['stop', '--dir', node], { cwd: scene.dir, timeoutMs: 30_000 }));
    expect(second.code, second.stderr).toBe(0);
    const events = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as DrillEvent);
    const unit = events.find((e): e is Extract<DrillEvent, { type: 'facts' }> => e.type === 'facts' && e.step === 'teardown' && 'systemdUnit' in e.facts);
    expect(unit, 'the resumed setup wrote no systemd unit').toBeDefined();
    expect(await readFile(String(unit!.facts['systemdUnit']), 'utf8')).toMatch(/^ExecStart=/m);
    // Handed over, not left running: the verified service was stopped (systemd starts it from the unit).
    expect(events.some((e) => e.type === 'left-running')).toBe(false);
    const end = events.find((e) => e.type === 'drill-end') as Extract<DrillEvent, { type: 'drill-end' }>;
    const record = JSON.parse(await readFile(path.join(end.reportDir!, 'report.json'), 'utf8')) as DrillRecord;
    expect(record.verdict).toBe('passed');
    expect(record.service.leftRunning ?? null).toBeNull();
  });
});
