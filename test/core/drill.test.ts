/**
 * The drill engine, in-process, against the real sample backup: real git and git-lfs, a real
 * install, the stand-in service started in its own process group and torn down. Each case uses a
 * copy of drills/demo.yaml with a port of its own; the cases run one after another.
 */
import { withSharedVenv } from '../helpers/demo-plan.js';
import { expectTimetable } from '../helpers/timetable.js';
import { readdir, readFile, rm, stat, writeFile, mkdir, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDrill, type DrillOptions } from '../../src/core/engine.js';
import type { AskPort } from '../../src/model/ports.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord, SnapshotTag, StepId, StepRecord, Verdict } from '../../src/model/record.js';
import { DRILL_STEPS } from '../../src/core/steps/index.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/types.js';
import { packageRoot } from '../../src/paths.js';

type Report = DrillRecord;
const STEP_IDS = DRILL_STEPS.map((step) => step.id);

interface DrillResult {
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly report: DrillRecord;
  readonly reportDir: string;
}
import { makeFakeBin, withPath } from '../helpers/fake-bin.js';
import { nvidiaHost, processesHoldingGpu } from '../helpers/nvidia-hosts.js';
import { freePort, gitText, sampleBackup } from '../helpers/sample.js';

const recorded = (name: string) => path.join(packageRoot, 'fixtures', 'recorded', name);
const DEMO_PORT = 17860;

let tmp = '';
let demoText = '';
let fakeNvidiaDir = '';
const workdirs: string[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-engine-'));
  // Its venv copied from the one the run prepared (helpers/demo-plan.ts); `demo --yes` (e2e) creates its own.
  demoText = withSharedVenv(await readFile(path.join(packageRoot, 'drills', 'demo.yaml'), 'utf8'));
  expect(demoText).toContain(String(DEMO_PORT));
  // A recorded A100 node: the query, the plain table (CUDA 12.4) and the compute apps.
  fakeNvidiaDir = path.join(tmp, 'fake-nvidia');
  await mkdir(fakeNvidiaDir);
  await makeFakeBin(fakeNvidiaDir, 'nvidia-smi', {
    stdoutFile: recorded('nvidia-smi-header-a100.txt'),
    cases: [
      { argsInclude: '--query-gpu', stdoutFile: recorded('nvidia-smi-query-a100.csv') },
      { argsInclude: '--query-compute-apps', stdoutFile: recorded('nvidia-smi-compute-apps-a100.csv') },
    ],
  });
});

afterAll(async () => {
  // A drill that went wrong may have left its scratch workspace behind.
  for (const dir of workdirs) await rm(dir, { recursive: true, force: true });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

type PlanData = Record<string, unknown> & {
  environment: Record<string, unknown>;
  install: { commands: string[]; timeoutSec?: number };
  service: Record<string, unknown>;
  assertions: Array<Record<string, unknown>>;
};

/** drills/demo.yaml on `port`, changed by `edit`, written to a plan file of its own and loaded. */
async function demoPlan(name: string, port: number, edit: (plan: PlanData) => void = () => undefined): Promise<Plan> {
  const data = YAML.parse(demoText.replaceAll(String(DEMO_PORT), String(port))) as PlanData;
  edit(data);
  const file = path.join(tmp, 'plans', `${name}.yaml`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, YAML.stringify(data));
  return loadPlan(file);
}

/** The demo plan without the venv (the stand-in needs only the standard library): seconds, not ten. */
function quickInstall(port: number) {
  return (plan: PlanData) => {
    plan.install = { commands: ['true'], timeoutSec: 60 };
    plan.service['start'] = `python3 app.py --port ${port}`;
  };
}

interface DrillRun {
  readonly result: DrillResult;
  readonly events: DrillEvent[];
  readonly asked: Array<{ tags: string[]; suggested: string }>;
}

async function drill(
  plan: Plan,
  tag: string,
  extra: { env?: Record<string, string>; stopAfter?: StepId; workdir?: string; keep?: boolean; onEvent?: (event: DrillEvent, abort: () => void) => void } = {},
): Promise<DrillRun> {
  const controller = new AbortController();
  const events: DrillEvent[] = [];
  const asked: DrillRun['asked'] = [];
  const ask: AskPort = {
    chooseTag: async (tags: readonly SnapshotTag[], suggested: string) => {
      asked.push({ tags: tags.map((t) => t.name), suggested });
      return tag;
    },
  };
  const options: DrillOptions = {
    plan,
    mode: 'drill',
    keep: extra.keep ?? false,
    reportRoot: path.join(tmp, 'reports'),
    cacheRoot: path.join(tmp, 'cache'),
    signal: controller.signal,
    ask,
    // The stand-in's upload folder goes under our temp dir, even when it is killed before cleaning up.
    env: { GRADIO_TEMP_DIR: path.join(tmp, 'uploads'), ...extra.env },
    ...(extra.stopAfter ? { stopAfter: extra.stopAfter } : {}),
    ...(extra.workdir ? { workdir: extra.workdir } : {}),
    save: writeOutputs,
    resolveBuiltinRepo: async (name) => {
      expect(name).toBe('sample-backup');
      const sample = await sampleBackup();
      return { url: sample.url, allowedSigners: sample.allowedSigners };
    },
  };
  const record = await runDrill(options, (event) => {
    events.push(event);
    extra.onEvent?.(event, () => controller.abort());
  });
  const result = { verdict: record.verdict, exitCode: record.exitCode, report: record, reportDir: record.reportDir };
  workdirs.push(result.report.workdir);
  return { result, events, asked };
}

function step(report: Report, id: StepId): StepRecord {
  const record = report.steps.find((s) => s.id === id);
  if (!record) throw new Error(`no ${id} step in the report`);
  return record;
}

function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.steps.map((s) => [s.id, s.status]));
}

/** drill-start first, drill-end last, every step started before it ends, in the contract's order, and each step's own events inside it. */
/** The events keep the timetable (helpers/timetable.ts); each event of a step comes while that step is open. */
function expectWellOrdered(events: readonly DrillEvent[]): void {
  expect(events[0]?.type).toBe('drill-start');
  expect(events.at(-1)?.type).toBe('drill-end');
  expect(events.filter((e) => e.type === 'drill-start' || e.type === 'drill-end')).toHaveLength(2);
  expectTimetable(events.flatMap((e) => (e.type === 'step-start' || e.type === 'step-end' ? [`${e.type} ${e.step}`] : [])));
  const open = new Set<StepId>();
  for (const event of events) {
    if (event.type === 'step-start') open.add(event.step);
    else if (event.type === 'step-end') open.delete(event.step);
    else if ('step' in event) expect({ event, open: open.has(event.step) }).toEqual({ event, open: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** Processes whose command line holds `marker` (the service's `--port N` is unique to one case). */
async function processesWith(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
    if (cmdline.includes(marker)) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

function connectionError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

/** Nothing of the service is left: no process, no listener, no workspace. */
async function expectNothingLeft(run: DrillRun, port: number, marker = `app.py --port ${port}`): Promise<void> {
  expect(await processesWith(marker)).toEqual([]);
  expect(await connectionError(port)).toBe('ECONNREFUSED');
  expect(await exists(run.result.report.workdir)).toBe(false);
}

function expectEsrch(pid: number): void {
  let code: string | undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code;
  }
  expect(code, `process ${pid} is still there`).toBe('ESRCH');
}

async function savedReport(run: DrillRun): Promise<Report> {
  return JSON.parse(await readFile(path.join(run.result.reportDir, 'report.json'), 'utf8')) as Report;
}

describe('runDrill on the sample backup', () => {
  it('(a) restores v1.2-config-tuned with the demo plan: passed, verified, timed, reported, torn down', async () => {
    // Given the demo plan on a port of its own
    const port = await freePort();
    const plan = await demoPlan('passing', port);

    // When v1.2-config-tuned is chosen and drilled
    const run = await drill(plan, 'v1.2-config-tuned');
    const { result, events, asked } = run;
    const { report } = result;

    // Then the drill passed
    expect({ verdict: result.verdict, exitCode: result.exitCode, reasons: report.verdictReasons }).toEqual({ verdict: 'passed', exitCode: 0, reasons: [] });
    expect(asked).toEqual([{ tags: ['v1.3-signed-release', 'v1.2-config-tuned', 'v1.1-broken-model', 'v1.0-model-large-v3'], suggested: 'v1.3-signed-release' }]);
    expect(report.snapshot).toMatchObject({ tag: 'v1.2-config-tuned', signature: 'unsigned' });
    expect(report.snapshot.repo).toMatch(/^file:\/\//);

    // with all eight steps in the contract's order, each timed, none failed or skipped
    expect(report.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
    for (const record of report.steps) {
      expect(['passed', 'warned'], `${record.id}: ${record.summary}`).toContain(record.status);
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(record.startedAt))).toBe(false);
    }
    expect(step(report, 'fetch').status).toBe('passed');
    expect(step(report, 'verify').status).toBe('passed');
    expect(step(report, 'install').durationMs).toBeGreaterThan(0);
    expect(report.rto).toMatchObject({
      fetchMs: expect.any(Number), verifyMs: expect.any(Number), installMs: expect.any(Number),
      startMs: expect.any(Number), firstTranscriptMs: expect.any(Number), totalMs: expect.any(Number),
    });
    // install ran beside the LFS download: it started at the checkout, before fetch ended; the critical
    // path names the steps that decided when the first transcript came.
    const marks = events.flatMap((e) => (e.type === 'step-start' || e.type === 'step-end' ? [`${e.type} ${e.step}`] : []));
    expect(marks.indexOf('step-start install')).toBeLessThan(marks.indexOf('step-end fetch'));
    expect(report.rto.criticalPath?.[0]).toBe('fetch');
    expect(report.rto.criticalPath?.slice(-2)).toEqual(['start', 'assert']);
    expect(report.rto.criticalPath).toContain(step(report, 'install').durationMs >= 0 && marks.indexOf('step-end install') > marks.indexOf('step-end verify') ? 'install' : 'verify');
    // Recovery ends at the first correct transcript, counted from the start of `start`: not one request's latency.
    expect(report.rto.firstTranscriptMs!).toBeGreaterThanOrEqual(report.rto.startMs!);
    expect(report.rto.firstTranscriptMs!).toBeGreaterThanOrEqual(report.assertions[0]!.latencyMs!);

    // every LFS file verified
    expect(report.lfs.files.map((f) => [f.path, f.verified])).toEqual([
      ['example/silence.wav', true],
      ['example/test_cn.wav', true],
      ['models/large-v3.pt', true],
    ]);
    for (const file of report.lfs.files) expect(file.actualSha256).toBe(file.oid);

    // the assertions with what was expected and what came back
    const byName = Object.fromEntries(report.assertions.map((a) => [a.name, a]));
    expect(byName['mandarin sample']).toMatchObject({ api: 'gradio', expected: '欢迎使用Whisper服务', passed: true, audio: 'example/test_cn.wav' });
    // Whisper's own spelling may differ (traditional characters, spaces, punctuation): compared normalized.
    expect(byName['mandarin sample']!.actual).not.toBe('');
    expect(byName['mandarin sample']!.normalizedActual).toContain(byName['mandarin sample']!.normalizedExpected);
    expect(byName['mandarin sample']!.normalizedExpected).toBe('欢迎使用whisper服务');
    expect(byName['mandarin sample']!.latencyMs).toEqual(expect.any(Number));
    expect(byName['silence control']).toMatchObject({ expected: '', actual: '', passed: true });
    expect(byName['same sample over the OpenAI-compatible API']).toMatchObject({ api: 'openai', passed: true });
    // No GPU here: the optional GPU assertion could not run, and says so instead of passing.
    expect(byName['model resident on GPU']).toMatchObject({ inconclusive: true, passed: false, required: false });

    // the report files are written, the saved one is the returned one
    for (const file of ['report.json', 'report.md', 'junit.xml', 'service.log']) {
      expect(await exists(path.join(result.reportDir, file)), file).toBe(true);
    }
    expect((await readdir(result.reportDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(await savedReport(run)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(path.basename(result.reportDir)).toMatch(/^\d{8}T\d{6}Z-v1\.2-config-tuned(-\d+)?$/);
    expect(await readFile(path.join(result.reportDir, 'service.log'), 'utf8')).toContain(`Running on local URL:  http://127.0.0.1:${port}`);
    expect(await readFile(path.join(result.reportDir, 'report.md'), 'utf8')).toMatch(/^# PASSED — demo v1\.2-config-tuned/);

    // the events came in order, ending with the verdict
    expectWellOrdered(events);
    expect(events.filter((e) => e.type === 'assertion')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'assertion').slice(-2)).toMatchObject([{ outcome: { name: 'restored model in use', status: 'passed' } }, { outcome: { name: 'no network needed', status: 'passed' } }]);
    expect(events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'passed', exitCode: 0, reportDir: result.reportDir });

    // and nothing is left: the service's process is gone, its port is free, the workspace removed
    const pid = step(report, 'start').evidence['pid'] as number;
    expect(pid).toEqual(expect.any(Number));
    expectEsrch(pid);
    expect(step(report, 'teardown').summary).toMatch(/service stopped with SIG(TERM|KILL)/);
    await expectNothingLeft(run, port);
  }, 180_000);

  it('(b) fails v1.1-broken-model at verify, naming both hashes; the install beside it is stopped, nothing is started', async () => {
    const port = await freePort();
    // An install still running when verify fails (a marker in its command line, to find it afterwards).
    const marker = `install-beside-${port}`;
    const plan = await demoPlan('broken', port, (data) => {
      data.install = { commands: [`sleep 60 # ${marker}`], timeoutSec: 120 };
    });

    const run = await drill(plan, 'v1.1-broken-model');
    const { result } = run;

    expect(result.verdict).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(statuses(result.report)).toEqual({
      environment: expect.stringMatching(/passed|warned/), snapshot: 'passed', fetch: 'warned', verify: 'failed',
      install: 'skipped', start: 'skipped', assert: 'skipped', teardown: 'passed',
    });
    expect(await processesWith(marker)).toEqual([]);
    const model = result.report.lfs.files.find((f) => f.path === 'models/large-v3.pt')!;
    expect(model.verified).toBe(false);
    expect(model.actualSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.actualSha256).not.toBe(model.oid);
    const verify = step(result.report, 'verify');
    expect(verify.error?.message).toContain('models/large-v3.pt');
    expect(verify.error?.message).toContain(model.oid);
    expect(verify.error?.message).toContain(model.actualSha256);
    expect(verify.error?.hint).toMatch(/pick an earlier tag/);
    // git-lfs's refusal is on record too
    expect(step(result.report, 'fetch').evidence['rejectedObjects']).toEqual({ [model.oid]: model.actualSha256 });
    expect(step(result.report, 'install').summary).toBe('stopped: verify failed');
    expect(step(result.report, 'start').summary).toBe('not run: verify failed');

    expect(await savedReport(run)).toMatchObject({ verdict: 'failed', snapshot: { tag: 'v1.1-broken-model' } });
    expect(await readFile(path.join(result.reportDir, 'service.log'), 'utf8')).toBe('(the service was not started)\n');
    expectWellOrdered(run.events);
    await expectNothingLeft(run, port);
  }, 120_000);

  it('(c) stops when aborted as the service starts: aborted, exit 130, reported, nothing left', async () => {
    const port = await freePort();
    const plan = await demoPlan('aborted', port, quickInstall(port));

    // When the drill is interrupted the moment the start step begins
    const run = await drill(plan, 'v1.2-config-tuned', {
      onEvent: (event, abort) => {
        if (event.type === 'step-start' && event.step === 'start') abort();
      },
    });
    const { result } = run;

    // Then it is aborted, not failed
    expect(result.verdict).toBe('aborted');
    expect(result.exitCode).toBe(130);
    expect(statuses(result.report)).toMatchObject({ verify: 'passed', install: 'passed', start: 'failed', assert: 'skipped', teardown: 'passed' });
    expect(step(result.report, 'start').error?.message).toBe('interrupted');
    expect(step(result.report, 'assert').summary).toBe('not run: the drill was interrupted');
    expect(result.report.verdictReasons).toEqual(['the drill was interrupted']);
    expect(run.events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'aborted', exitCode: 130 });
    expect(await savedReport(run)).toMatchObject({ verdict: 'aborted' });
    expectWellOrdered(run.events);
    await expectNothingLeft(run, port);
  }, 120_000);

  it('(c) stops when aborted while waiting for the service, and keeps its output inside the start step', async () => {
    // Given a service that announces itself, never answers HTTP, and says goodbye on SIGTERM
    const port = await freePort();
    const command = `trap 'echo stopping ${port}; exit 0' TERM; echo starting ${port}; sleep 600 & wait`;
    const plan = await demoPlan('aborted-waiting', port, (data) => {
      quickInstall(port)(data);
      data.service['start'] = command;
      data.service['ready'] = { path: '/', timeoutSec: 60 };
    });

    // When the drill is interrupted as soon as the service has printed its first line
    const run = await drill(plan, 'v1.2-config-tuned', {
      onEvent: (event, abort) => {
        if (event.type === 'log' && event.step === 'start' && event.line === `starting ${port}`) abort();
      },
    });
    const { result } = run;

    // Then the drill is aborted at start, the service stopped with SIGTERM
    expect(result.verdict).toBe('aborted');
    expect(result.exitCode).toBe(130);
    expect(statuses(result.report)).toMatchObject({ start: 'failed', assert: 'skipped', teardown: 'passed' });
    expect(step(result.report, 'start').error?.message).toBe('interrupted');
    expect(step(result.report, 'teardown').summary).toMatch(/service stopped with SIGTERM/);
    // and its goodbye stays in service.log: no line of the start step arrives during teardown
    expect(await readFile(path.join(result.reportDir, 'service.log'), 'utf8')).toBe(`starting ${port}\nstopping ${port}\n`);
    expectWellOrdered(run.events);
    await expectNothingLeft(run, port, `starting ${port}`);
  }, 120_000);

  it('(d) fails at install when an install command fails, naming the command', async () => {
    const port = await freePort();
    // In the by-hand order (rto.overlap: false): verify has passed before install runs.
    const plan = await demoPlan('install-fails', port, (data) => {
      data.install = { commands: ['echo preparing', 'exit 3'], timeoutSec: 60 };
      data.rto = { overlap: false };
    });

    const run = await drill(plan, 'v1.2-config-tuned');
    const { result } = run;

    expect(result.verdict).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(statuses(result.report)).toMatchObject({ verify: 'passed', install: 'failed', start: 'skipped', assert: 'skipped', teardown: 'passed' });
    expect(step(result.report, 'install').error?.message).toMatch(/^`exit 3` exited with 3 \(in .+\)$/);
    // rto.overlap: false — install waited for verify.
    const marks = run.events.flatMap((e) => (e.type === 'step-start' || e.type === 'step-end' ? [`${e.type} ${e.step}`] : []));
    expect(marks.indexOf('step-start install')).toBeGreaterThan(marks.indexOf('step-end verify'));
    expect(run.events).toContainEqual({ type: 'log', step: 'install', stream: 'stdout', line: 'preparing' });
    expect(await savedReport(run)).toMatchObject({ verdict: 'failed' });
    expectWellOrdered(run.events);
    await expectNothingLeft(run, port);
  }, 120_000);

  it('(e) fails at start at once when the service exits, naming the command, its exit code and its last words', async () => {
    const port = await freePort();
    const command = `sh -c 'echo boom >&2; exit 4'`;
    const plan = await demoPlan('start-exits', port, (data) => {
      quickInstall(port)(data);
      data.service['start'] = command;
      data.service['ready'] = { path: '/', timeoutSec: 60 };
    });

    const run = await drill(plan, 'v1.2-config-tuned');
    const { result } = run;

    expect(result.verdict).toBe('failed');
    const start = step(result.report, 'start');
    expect(start.status).toBe('failed');
    expect(start.error?.message).toBe(`\`${command}\` exited with 4 before http://127.0.0.1:${port}/ answered: boom`);
    expect(start.error?.hint).toContain('service.log');
    // Not after the 60 s ready timeout: as soon as the process is gone.
    expect(start.durationMs).toBeLessThan(10_000);
    expect(step(result.report, 'assert').status).toBe('skipped');
    expect(step(result.report, 'teardown').summary).toMatch(/service had already exited/);
    expect(await readFile(path.join(result.reportDir, 'service.log'), 'utf8')).toBe('boom\n');
    // The service's last words are in the record (report.html shows them), since the drill did not pass.
    expect(result.report.service.logTail).toEqual(['boom']);
    expect(await readFile(path.join(result.reportDir, 'report.html'), 'utf8')).toMatch(/<h2>The service&#39;s last log lines<\/h2><pre>boom<\/pre>/);
    expectWellOrdered(run.events);
    await expectNothingLeft(run, port);
  }, 120_000);

  it('(f) fails the environment step when the port is already in use, naming the port', async () => {
    const port = await freePort();
    const plan = await demoPlan('port-taken', port, quickInstall(port));
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    let run: DrillRun;
    try {
      run = await drill(plan, 'v1.2-config-tuned');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const { result } = run;

    expect(result.verdict).toBe('failed');
    expect(statuses(result.report)).toMatchObject({ environment: 'failed', snapshot: 'skipped', fetch: 'skipped', start: 'skipped', teardown: 'passed' });
    const environment = step(result.report, 'environment');
    expect(environment.error?.message).toContain(`Port ${port}`);
    expect(environment.error?.message).toContain(`127.0.0.1:${port}: address already in use`);
    expect(environment.error?.hint).toContain(`stop what listens on ${port}`);
    expect(result.report.environment.checks.find((c) => c.id === `port-${port}`)).toMatchObject({ status: 'failed', required: 'free' });
    expectWellOrdered(run.events);
    expect(await exists(result.report.workdir)).toBe(false);
  }, 60_000);

  describe('(g) a plan that requires an NVIDIA GPU', () => {
    const gpuPlan = (name: string, port: number) =>
      demoPlan(name, port, (data) => {
        data.environment['nvidia'] = { required: true, cuda: '>=12.1', minFreeMiB: 10240 };
      });

    it('passes the NVIDIA checks with the recorded A100 node on PATH', async () => {
      const port = await freePort();
      const plan = await gpuPlan('gpu-required', port);

      const run = await drill(plan, 'v1.2-config-tuned', { env: withPath(fakeNvidiaDir), stopAfter: 'environment' });

      const environment = step(run.result.report, 'environment');
      expect(environment.status, environment.summary).toMatch(/passed|warned/);
      const checks = Object.fromEntries(run.result.report.environment.checks.map((c) => [c.id, c]));
      expect(checks['nvidia']).toMatchObject({ status: 'passed', measured: 'driver 550.54.15, 2 GPU(s): 0 NVIDIA A100-SXM4-40GB (sm_80), 1 NVIDIA A100-SXM4-40GB (sm_80)' });
      expect(checks['cuda']).toMatchObject({ status: 'passed', measured: 'CUDA 12.4', required: 'CUDA >=12.1' });
      expect(checks['gpu-memory']).toMatchObject({ status: 'passed', measured: '30300 MiB free on GPU 0 (NVIDIA A100-SXM4-40GB) (GPU 1: 40339 MiB)' });
      // A dry run restores nothing, so it cannot pass.
      expect(step(run.result.report, 'snapshot').status).toBe('skipped');
      expect(run.result.verdict).toBe('inconclusive');
      expect(await readFile(path.join(fakeNvidiaDir, 'nvidia-smi.calls'), 'utf8')).toContain('--query-gpu=');
      expect(await exists(run.result.report.workdir)).toBe(false);
    }, 60_000);

    it('fails the environment step with the fix when there is no nvidia-smi at all', async () => {
      const port = await freePort();
      const plan = await gpuPlan('gpu-missing', port);
      const onPath = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
      const found = await Promise.all(onPath.map((dir) => exists(path.join(dir, 'nvidia-smi'))));
      expect(found.some(Boolean), 'this machine has an nvidia-smi; the case needs one without').toBe(false);

      const run = await drill(plan, 'v1.2-config-tuned');

      expect(run.result.verdict).toBe('failed');
      expect(run.result.exitCode).toBe(1);
      const environment = step(run.result.report, 'environment');
      expect(environment.status).toBe('failed');
      expect(environment.error?.message).toContain('NVIDIA driver (nvidia-smi not found');
      expect(environment.error?.hint).toContain('install the NVIDIA driver (nvidia-smi must answer)');
      expect(statuses(run.result.report)).toMatchObject({ snapshot: 'skipped', teardown: 'passed' });
      expect(await exists(run.result.report.workdir)).toBe(false);
    }, 60_000);
  });

  describe('(h) the GPU-memory assertion', () => {
    const mandarin = { name: 'mandarin sample', api: 'gradio', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务' } };

    /** The A100 node, where the restored service's own process holds 10030 MiB on GPU 0. */
    const serviceOnGpu = (name: string, port: number) => nvidiaHost(path.join(tmp, name), 'two A100s', [processesHoldingGpu(`python3 app.py --port ${port}`, 10030)]);

    it('measures the service\'s own GPU memory on the A100 node and checks it against each range', async () => {
      const port = await freePort();
      const plan = await demoPlan('gpu-assert', port, (data) => {
        quickInstall(port)(data);
        data.assertions = [
          mandarin,
          { name: 'model resident on GPU', gpuMemoryMiB: { min: 8000, max: 12000 }, required: true },
          { name: 'more than 12 GiB in use', gpuMemoryMiB: { min: 12288 }, required: false },
        ];
      });

      const run = await drill(plan, 'v1.2-config-tuned', { env: await serviceOnGpu('gpu-assert', port) });
      const { result } = run;

      const [, inRange, above] = result.report.assertions;
      expect(inRange).toMatchObject({ name: 'model resident on GPU', api: 'nvidia-smi', expected: '8000..12000 MiB held by the service', actual: '10030 MiB', passed: true });
      expect(inRange!.detail).toMatch(/^within range: GPU 0: 10030 MiB \(pid \d+ python3 10030 MiB on GPU 0\)$/);
      expect(inRange!.gpuProcesses).toEqual([expect.objectContaining({ gpu: 0, usedMiB: 10030, holder: 'service' })]);
      expect(above).toMatchObject({ name: 'more than 12 GiB in use', expected: '12288..∞ MiB held by the service', actual: '10030 MiB', passed: false, detail: expect.stringMatching(/^outside 12288\.\.∞ MiB held by the service: GPU 0: 10030 MiB/) });
      expect(inRange!.inconclusive).toBeUndefined();
      // An optional assertion that fails warns; it does not fail the drill.
      expect(step(result.report, 'assert')).toMatchObject({ status: 'warned', summary: '4/5 assertion(s) passed, 1 optional failed' });
      expect(result.verdict).toBe('passed');
      await expectNothingLeft(run, port);
    }, 120_000);

    it('fails the drill when a required range is not met', async () => {
      const port = await freePort();
      const plan = await demoPlan('gpu-assert-fails', port, (data) => {
        quickInstall(port)(data);
        data.assertions = [mandarin, { name: 'model resident on GPU', gpuMemoryMiB: { min: 12288, max: 16384 }, required: true }];
      });

      const run = await drill(plan, 'v1.2-config-tuned', { env: await serviceOnGpu('gpu-assert-fails', port) });

      expect(run.result.verdict).toBe('failed');
      expect(run.result.exitCode).toBe(1);
      expect(step(run.result.report, 'assert').error?.message).toMatch(
        /^1 of 4 assertion\(s\) failed; first: model resident on GPU: outside 12288\.\.16384 MiB held by the service: GPU 0: 10030 MiB/,
      );
      await expectNothingLeft(run, port);
    }, 120_000);

    it('is inconclusive, not passed, when the recorded node\'s GPU memory belongs to a PID this host does not have', async () => {
      const port = await freePort();
      const plan = await demoPlan('gpu-assert-foreign', port, (data) => {
        quickInstall(port)(data);
        data.assertions = [mandarin, { name: 'model resident on GPU', gpuMemoryMiB: { min: 8000, max: 12000 }, required: true }];
      });

      const run = await drill(plan, 'v1.2-config-tuned', { env: withPath(fakeNvidiaDir) });

      expect(run.result.verdict).toBe('inconclusive');
      expect(run.result.report.verdictReasons).toEqual([expect.stringMatching(/^model resident on GPU: none of the service's processes .* is visible to nvidia-smi: nvidia-smi lists pid 412873 python3 10030 MiB on GPU 0/)]);
      await expectNothingLeft(run, port);
    }, 120_000);

    it('is inconclusive, not passed, when required and there is no nvidia-smi', async () => {
      const port = await freePort();
      const plan = await demoPlan('gpu-assert-unmeasured', port, (data) => {
        quickInstall(port)(data);
        data.assertions = [mandarin, { name: 'model resident on GPU', gpuMemoryMiB: { min: 8000, max: 12000 }, required: true }];
      });

      const run = await drill(plan, 'v1.2-config-tuned');
      const { result } = run;

      expect(result.verdict).toBe('inconclusive');
      expect(result.exitCode).toBe(3);
      expect(result.report.assertions[1]).toMatchObject({ name: 'model resident on GPU', inconclusive: true, passed: false, required: true });
      expect(result.report.verdictReasons).toEqual([expect.stringMatching(/^model resident on GPU: nvidia-smi not found/)]);
      expect(step(result.report, 'assert').status).toBe('warned');
      expect(await savedReport(run)).toMatchObject({ verdict: 'inconclusive' });
      await expectNothingLeft(run, port);
    }, 120_000);
  });

  describe('(i) --workdir given by the operator', () => {
    it('a directory that was there before stays, emptied of what the drill restored into it', async () => {
      const port = await freePort();
      const plan = await demoPlan('workdir-existing', port, quickInstall(port));
      const existing = await mkdtemp(path.join(tmp, 'operator-dir-'));

      const run = await drill(plan, 'v1.2-config-tuned', { workdir: existing, stopAfter: 'verify' });

      expect(step(run.result.report, 'verify').status).toBe('passed');
      expect(await exists(existing)).toBe(true);
      expect(await readdir(existing)).toEqual([]);
      expect(step(run.result.report, 'teardown').summary).toContain(`restored files removed from ${existing}`);
    }, 60_000);

    it('a directory the drill made is removed', async () => {
      const port = await freePort();
      const plan = await demoPlan('workdir-new', port, quickInstall(port));
      const fresh = path.join(tmp, 'operator-new-dir');

      const run = await drill(plan, 'v1.2-config-tuned', { workdir: fresh, stopAfter: 'verify' });

      expect(step(run.result.report, 'verify').status).toBe('passed');
      expect(await exists(fresh)).toBe(false);
      expect(step(run.result.report, 'teardown').summary).toContain(`workspace ${fresh} removed`);
    }, 60_000);
  });

  it('(j) a kept workspace is a clean git repository: git status shows nothing, git-lfs finds its objects', async () => {
    const port = await freePort();
    const plan = await demoPlan('kept', port, quickInstall(port));
    const kept = path.join(tmp, 'kept-workspace');

    const run = await drill(plan, 'v1.2-config-tuned', { workdir: kept, keep: true, stopAfter: 'verify' });

    expect(step(run.result.report, 'verify').status).toBe('passed');
    expect(await gitText(['-C', kept, 'status', '--porcelain'])).toBe('');
    const fsck = await gitText(['-C', kept, 'lfs', 'fsck']);
    expect(fsck).toMatch(/Git LFS fsck OK/);
    await rm(kept, { recursive: true, force: true });
  }, 60_000);
});
