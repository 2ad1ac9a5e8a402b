/**
 * The built CLI against the embedded sample backup: whole drills (passing, failing, NDJSON, interrupted),
 * the history they leave behind, and `check` of the demo plan.
 *
 * Every run of the demo plan wants port 17860, so all of them live in this one file and run in order.
 * Each drill gets a TMPDIR of its own: its scratch workspace lands there, which lets the test prove
 * that nothing of *this* drill is left behind (processes, directories) even when other drills run on the host.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOf } from '../../src/core/record.js';
import type { DrillEvent } from '../../src/model/events.js';
import { ndjsonLineSchema } from '../../src/model/events-schema.js';
import { describeRun, repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { expectTimetable } from '../helpers/timetable.js';
import { promtool } from '../helpers/promtool.js';
import { describeProcesses, processesUsing, stillRunning, type ProcessInfo } from '../helpers/processes.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { freePort } from '../helpers/sample.js';

const STEP_IDS = ['environment', 'snapshot', 'fetch', 'verify', 'install', 'start', 'assert', 'teardown'] as const;
const NEWEST_TAG = 'v1.3-signed-release';
const DEMO_PLAN = path.join(repoRoot, 'drills', 'demo.yaml');
const DRILL_TIMEOUT_MS = 120_000;
const ESC = '\x1b';
const HEX64 = /\b[0-9a-f]{64}\b/g;

interface ReportStep {
  readonly id: string;
  readonly status: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: string;
  readonly error?: { readonly message: string; readonly hint?: string };
}

interface ReportJson {
  readonly schemaVersion: unknown;
  readonly tool: { readonly name: string; readonly version: string };
  readonly plan: { readonly name: string; readonly file: string; readonly sha256: string };
  readonly mode: string;
  readonly snapshot: { readonly repo: string; readonly tag: string; readonly commit: string };
  readonly workdir?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly verdict: string;
  readonly steps: readonly ReportStep[];
  readonly lfs: { readonly files: ReadonlyArray<{ readonly path: string; readonly size: number; readonly oid: string; readonly verified: boolean }> };
  readonly assertions: ReadonlyArray<{ readonly name: string; readonly expected: unknown; readonly actual: unknown; readonly passed: boolean }>;
  readonly rto: Readonly<Record<string, unknown>>;
  readonly drift: { readonly tag: string; readonly recordedOn?: string; readonly items: ReadonlyArray<{ readonly key: string; readonly change: string; readonly severity: string }>; readonly notCompared: readonly string[] } | null;
}

interface JsonEvent {
  readonly type: string;
  readonly step?: string;
  readonly stream?: string;
  readonly status?: string;
  readonly verdict?: string;
  readonly exitCode?: number;
  readonly summary?: string;
  readonly reportDir?: string;
}

let scratch = '';
/** The CLI's working directory: it must stay empty (reports go to --report-dir, the workspace to TMPDIR). */
let cwd = '';
/** Shared by the passing and the failing drill, then read back by `history`. */
let historyReports = '';
let toolVersion = '';
/** The demo plan on a port of its own, its venv copied (helpers/demo-plan.ts): for the drills that test a face, not `demo`. */
let demoCopy = '';

beforeAll(async () => {
  // realpath: the paths the CLI prints and records are resolved ones.
  scratch = realpathSync(await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-e2e-demo-')));
  cwd = path.join(scratch, 'cwd');
  historyReports = path.join(scratch, 'reports-history');
  await mkdir(cwd);
  // With a recovery-time goal, which the drill holds its recovery to.
  demoCopy = (await writeDemoPlan(path.join(scratch, 'demo.yaml'), 'rto:\n  goal: 15m\n', { pip: true })).file;
  toolVersion = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  expect(process.env['WHISPER_DRILL_CACHE'], 'the global setup provides the sample backup cache').toBeTruthy();
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A TMPDIR for one drill: empty before it starts. */
async function privateTmp(): Promise<string> {
  return mkdtemp(path.join(scratch, 'tmp-'));
}

async function reportDirsOf(reportRoot: string): Promise<string[]> {
  return (await readdir(path.join(reportRoot, 'demo')).catch(() => [] as string[])).sort();
}

async function readReport(dir: string): Promise<ReportJson> {
  return JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as ReportJson;
}

/** `2026-11-24T03:09:15.709Z` → `20261124T030915Z`, the report folder's time stamp. */
function folderStamp(iso: string): string {
  return `${iso.slice(0, 19).replaceAll('-', '').replaceAll(':', '')}Z`;
}

function stepOf(report: ReportJson, id: string): ReportStep {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`report has no step ${id}`);
  return step;
}

/** Nothing of the drill that ran with TMPDIR=`tmp` may be left: no process, no scratch workspace. */
async function expectNothingLeftBehind(tmp: string, report: ReportJson): Promise<void> {
  expect(report.workdir, 'the scratch workspace is created under TMPDIR').toBeDefined();
  expect(report.workdir!.startsWith(`${tmp}/`), `workspace ${report.workdir} under ${tmp}`).toBe(true);
  expect(existsSync(report.workdir!), `workspace ${report.workdir} removed`).toBe(false);
  expect((await readdir(tmp)).filter((name) => name.startsWith('whisper-drill-')), 'no scratch workspace left').toEqual([]);
  const left = processesUsing(tmp);
  expect(left, `processes left running:\n${describeProcesses(left)}`).toEqual([]);
  // The stand-in service by its command line, wherever it runs: only one started by this drill would run under tmp.
  const services = processesUsing(report.workdir!).filter((p) => p.cmdline.includes('app.py --port 17860'));
  expect(services, describeProcesses(services)).toEqual([]);
  expect(await readdir(cwd), 'nothing written to the working directory').toEqual([]);
}


/** A plan on the sample backup whose tools colour their output, as pip, uvicorn and friends may. */
async function colouredPlan(port: number, install: readonly string[]): Promise<string> {
  const file = path.join(scratch, `coloured-${port}.yaml`);
  const quote = (text: string) => JSON.stringify(text);
  await writeFile(
    file,
    [
      'name: coloured',
      'snapshot:',
      '  repo: "builtin:sample-backup"',
      '  tags: "v*"',
      'environment:',
      `  ports: [${port}]`,
      'install:',
      '  commands:',
      ...install.map((command) => `    - ${quote(command)}`),
      'service:',
      `  start: ${quote(`printf '\\033[33mstarting\\033[0m\\n'; exec python3 app.py --port ${port}`)}`,
      `  url: http://127.0.0.1:${port}`,
      '  ready: { path: /, timeoutSec: 60 }',
      '  stopTimeoutSec: 10',
      'assertions:',
      '  - name: mandarin sample',
      '    api: gradio',
      '    audio: example/test_cn.wav',
      '    language: zh',
      '    expect: { contains: "欢迎使用Whisper服务", maxCER: 0.1 }',
      '',
    ].join('\n'),
  );
  return file;
}

function expectCleanOutput(result: CliResult): void {
  const withEscape = (text: string) => text.split('\n').filter((line) => line.includes(ESC)).map((line) => JSON.stringify(line));
  expect(withEscape(result.stdout), 'no escape code on stdout').toEqual([]);
  expect(withEscape(result.stderr), 'no escape code on stderr').toEqual([]);
}

function parseNdjson(stdout: string): JsonEvent[] {
  expect(stdout.endsWith('\n'), 'NDJSON ends with a newline').toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        throw new Error(`stdout line ${index + 1} is not JSON: ${JSON.stringify(line)}`);
      }
      expect(event, `line ${index + 1} is an event object`).toMatchObject({ type: expect.any(String) });
      return event as JsonEvent;
    });
}

/** step-start / step-end pairs, in the timetable's order (install beside the download). */
function expectAllStepsInOrder(events: readonly JsonEvent[]): void {
  expectTimetable(events.filter((e) => e.type === 'step-start' || e.type === 'step-end').map((e) => `${e.type} ${e.step}`));
}

/** The --metrics-file of the drills that share historyReports. */
const metricsFile = () => path.join(historyReports, '..', 'metrics', 'whisper-drill.prom');

/** The metrics file holds `sample` (after the plan and host labels) and promtool accepts it. */
async function expectMetrics(sample: string): Promise<string> {
  const text = await readFile(metricsFile(), 'utf8');
  expect(text).toContain(`whisper_drill_verdict{plan="demo",host="${os.hostname()}",${sample}`);
  const checked = await promtool(['check', 'metrics'], { input: text });
  expect(checked.code, checked.output).toBe(0);
  expect(await readdir(path.dirname(metricsFile())), 'no temp file left beside it').toEqual(['whisper-drill.prom']);
  return text;
}

describe.sequential('whisper-drill demo (built CLI, embedded sample backup)', () => {
  it(
    'demo --yes restores the newest tag, passes, writes a complete report and leaves nothing behind',
    async () => {
      const tmp = await privateTmp();
      const result = await runCli(['demo', '--yes', '--report-dir', historyReports, '--metrics-file', metricsFile()], { cwd, env: { TMPDIR: tmp }, timeoutMs: DRILL_TIMEOUT_MS });
      expect(result.code, describeRun(result)).toBe(0);
      expectCleanOutput(result);
      await expectMetrics(`mode="drill",tag="${NEWEST_TAG}",verdict="passed"} 1`);

      // Plain progress lines on stderr, one start and one end line per step.
      const err = result.stderr;
      expect(err).toContain(`whisper-drill drill: plan demo (${DEMO_PLAN})`);
      for (const id of STEP_IDS) {
        expect(err).toMatch(new RegExp(`^-> ${id}: `, 'm'));
        expect(err).toMatch(new RegExp(`^\\[(ok  |warn)\\] ${id} \\(`, 'm'));
      }
      expect(err).toMatch(/^PASSED in .+: demo v1\.3-signed-release restored and verified; recovery \d+(\.\d)? m?s from fetch to the first correct transcript; critical path fetch → (install|verify) → start → assert$/m);
      // The newest tag was verified on a GPU node (its hand-made lock): the drift is told, as warnings.
      expect(err).toMatch(/^ {3}drift: \d+ difference\(s\) from v1\.3-signed-release's environment \(recorded 2026-06-01 on gpu-node-07\)/m);
      expect(err).toMatch(/^ {5}\[warn\] NVIDIA driver: 550\.54\.15 → none \(missing\)$/m);
      expect(err).toMatch(/^ {5}\[warn\] torch: 2\.3\.1\+cu121 → none \(missing\)$/m);

      // Exactly one report folder: <report-dir>/demo/<UTC yyyymmddThhmmssZ>-<tag>/
      expect(await readdir(historyReports)).toEqual(['demo']);
      const folders = await reportDirsOf(historyReports);
      expect(folders).toHaveLength(1);
      expect(folders[0]).toMatch(new RegExp(`^\\d{8}T\\d{6}Z-${NEWEST_TAG.replaceAll('.', '\\.')}$`));
      const dir = path.join(historyReports, 'demo', folders[0]!);
      expect(err).toContain(`report: ${dir}/report.md`);
      expect(err).toContain(`page:   ${dir}/report.html`);
      for (const file of ['report.json', 'report.md', 'report.html', 'junit.xml', 'service.log']) {
        expect((await stat(path.join(dir, file))).size, `${file} is not empty`).toBeGreaterThan(0);
      }
      expect((await readdir(dir)).filter((name) => !['report.json', 'report.md', 'report.html', 'junit.xml', 'service.log'].includes(name)), 'no temp files left').toEqual([]);

      const report = await readReport(dir);
      expect(folders[0]!.startsWith(folderStamp(report.startedAt)), 'folder stamped with the UTC start').toBe(true);
      expect(typeof report.schemaVersion).toBe('number');
      expect(report.tool).toEqual({ name: 'whisper-drill', version: toolVersion });
      expect(report.plan).toEqual({
        name: 'demo',
        file: DEMO_PLAN,
        sha256: createHash('sha256').update(await readFile(DEMO_PLAN)).digest('hex'),
      });
      expect(report.mode).toBe('drill');
      expect(report.snapshot.tag).toBe(NEWEST_TAG);
      expect(report.snapshot.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(report.snapshot.repo).toMatch(/^file:\/\//);
      expect(report.verdict).toBe('passed');
      expect(Date.parse(report.finishedAt)).toBeGreaterThanOrEqual(Date.parse(report.startedAt));

      expect(report.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
      for (const step of report.steps) {
        expect(['passed', 'warned'], `${step.id}: ${step.summary}`).toContain(step.status);
        expect(typeof step.durationMs).toBe('number');
        expect(step.durationMs).toBeGreaterThanOrEqual(0);
      }

      expect(report.lfs.files.length).toBeGreaterThanOrEqual(1);
      expect(report.lfs.files.map((f) => f.path)).toContain('models/large-v3.pt');
      for (const file of report.lfs.files) {
        expect(file, file.path).toMatchObject({ verified: true, size: expect.any(Number), oid: expect.stringMatching(/^[0-9a-f]{64}$/) });
      }

      expect(report.assertions.length).toBeGreaterThanOrEqual(1);
      for (const assertion of report.assertions) {
        expect(typeof assertion.expected, `${assertion.name}: expected`).toBe('string');
        expect(typeof assertion.actual, `${assertion.name}: actual`).toBe('string');
      }
      const mandarin = report.assertions.find((a) => a.name === 'mandarin sample');
      expect(mandarin).toMatchObject({ passed: true, expected: '欢迎使用Whisper服务' });
      expect(mandarin!.actual).toMatch(/Whisper/);

      for (const key of ['fetchMs', 'verifyMs', 'installMs', 'startMs', 'firstTranscriptMs', 'recoveryMs', 'totalMs']) {
        expect(typeof report.rto[key], `rto.${key}`).toBe('number');
        expect(report.rto[key] as number, `rto.${key}`).toBeGreaterThanOrEqual(0);
      }
      // Recovery runs from the start of fetch to the first correct transcript: install beside fetch and
      // verify, so at least the longer of the two branches, at most all the phases one after another.
      const rto = report.rto as Record<string, number>;
      expect(rto['recoveryMs']).toBeGreaterThanOrEqual(Math.max(rto['fetchMs']! + rto['verifyMs']!, rto['installMs']!) + rto['firstTranscriptMs']! - 5);
      expect(rto['recoveryMs']).toBeLessThanOrEqual(rto['fetchMs']! + rto['verifyMs']! + rto['installMs']! + rto['firstTranscriptMs']! + 50);
      expect(rto['recoveryMs']).toBeLessThanOrEqual(rto['totalMs']!);
      expect((report.rto as { criticalPath?: string[] }).criticalPath).toEqual(expect.arrayContaining(['fetch', 'start', 'assert']));

      // The drift of both steps that compared (snapshot: the host; install: the venv's packages), merged.
      expect(report.drift).toMatchObject({ tag: NEWEST_TAG, recordedOn: 'gpu-node-07', notCompared: ['PyTorch', "torch's CUDA", 'cuDNN'] });
      const drift = Object.fromEntries(report.drift!.items.map((i) => [i.key, `${i.change} ${i.severity}`]));
      expect(drift).toMatchObject({ driver: 'missing warn', gpu: 'missing warn', ffmpeg: 'major warn', 'package:torch': 'missing warn' });
      expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain(`## Drift from ${NEWEST_TAG}'s environment`);

      await expectNothingLeftBehind(tmp, report);
    },
    DRILL_TIMEOUT_MS + 30_000,
  );

  it(
    'demo --tag v1.1-broken-model fails at verify, naming the file and both hashes, and skips the rest',
    async () => {
      const tmp = await privateTmp();
      const before = await reportDirsOf(historyReports);
      const result = await runCli(['demo', '--yes', '--tag', 'v1.1-broken-model', '--report-dir', historyReports, '--metrics-file', metricsFile()], {
        cwd,
        env: { TMPDIR: tmp },
        timeoutMs: DRILL_TIMEOUT_MS,
      });
      expect(result.code, describeRun(result)).toBe(1);
      expectCleanOutput(result);
      // The metrics say it failed, and still know the passing drill before it.
      const metrics = await expectMetrics('mode="drill",tag="v1.1-broken-model",verdict="failed"} 1');
      expect(metrics).toMatch(/^whisper_drill_last_success_timestamp_seconds\{plan="demo",host="[^"]+"\} [1-9]\d+$/m);

      const failLine = result.stderr.split('\n').find((line) => line.startsWith('[FAIL] verify'));
      expect(failLine, result.stderr).toBeDefined();
      expect(failLine).toContain('models/large-v3.pt');
      expect(new Set(failLine!.match(HEX64)).size, failLine).toBeGreaterThanOrEqual(2);
      for (const id of ['install', 'start', 'assert']) expect(result.stderr).toMatch(new RegExp(`^\\[skip\\] ${id} `, 'm'));
      expect(result.stderr).toMatch(/^FAILED in /m);

      const added = (await reportDirsOf(historyReports)).filter((name) => !before.includes(name));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^\d{8}T\d{6}Z-v1\.1-broken-model(-\d+)?$/);
      const report = await readReport(path.join(historyReports, 'demo', added[0]!));
      expect(report.verdict).toBe('failed');
      expect(report.snapshot.tag).toBe('v1.1-broken-model');
      expect(report.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
      const verify = stepOf(report, 'verify');
      expect(verify.status).toBe('failed');
      const message = verify.error?.message ?? '';
      expect(message).toContain('models/large-v3.pt');
      const hashes = new Set(message.match(HEX64));
      expect(hashes.size, message).toBeGreaterThanOrEqual(2);
      for (const id of ['install', 'start', 'assert']) expect(stepOf(report, id).status, id).toBe('skipped');
      expect(stepOf(report, 'teardown').status).toBe('passed');
      const model = report.lfs.files.find((f) => f.path === 'models/large-v3.pt');
      expect(model?.verified).toBe(false);

      await expectNothingLeftBehind(tmp, report);
    },
    DRILL_TIMEOUT_MS + 30_000,
  );

  it('history lists the earlier drills of the plan, oldest first, with their verdicts', async () => {
    const result = await runCli(['history', '--plan', DEMO_PLAN, '--report-dir', historyReports], { cwd, timeoutMs: 60_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expectCleanOutput(result);
    const rows = result.stdout.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2}T/.test(line));
    expect(rows, result.stdout).toHaveLength(2);
    expect(rows[0]).toMatch(/v1\.3-signed-release\s+passed\b/);
    expect(rows[1]).toMatch(/v1\.1-broken-model\s+failed\b/);

    // Without --plan: every plan and host found under the report directory, each under its own heading.
    const all = await runCli(['history', '--report-dir', historyReports], { cwd, timeoutMs: 60_000 });
    expect(all.code, describeRun(all)).toBe(0);
    const allRows = all.stdout.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2}T/.test(line));
    expect(allRows, all.stdout).toHaveLength(2);
    expect(all.stdout).toContain(`demo on ${os.hostname()}`);
    expect(allRows[0]).toMatch(new RegExp(`${os.hostname()}\\s+v1\\.3-signed-release\\s+passed\\b`));

    const json = await runCli(['history', '--plan', DEMO_PLAN, '--report-dir', historyReports, '--json'], { cwd, timeoutMs: 60_000 });
    expect(json.code, describeRun(json)).toBe(0);
    const parsed = JSON.parse(json.stdout) as { plan: string; drills: Array<{ tag: string; verdict: string }> };
    expect(parsed.plan).toBe('demo');
    expect(parsed.drills.map((d) => [d.tag, d.verdict])).toEqual([
      [NEWEST_TAG, 'passed'],
      ['v1.1-broken-model', 'failed'],
    ]);
  });

  it(
    '--json prints nothing but NDJSON events: drill-start, every step, drill-end',
    async () => {
      const tmp = await privateTmp();
      const reports = path.join(scratch, 'reports-json');
      const result = await runCli(['drill', '--plan', demoCopy, '--json', '--tag', 'v1.2-config-tuned', '--report-dir', reports], {
        cwd,
        env: { TMPDIR: tmp },
        timeoutMs: DRILL_TIMEOUT_MS,
      });
      expect(result.code, describeRun(result)).toBe(0);
      expectCleanOutput(result);
      expect(result.stderr, 'no plain progress lines with --json').not.toMatch(/^-> environment/m);

      const events = parseNdjson(result.stdout);
      // Every line is what drills/events.schema.json describes, versioned.
      for (const line of result.stdout.split('\n').filter(Boolean)) {
        const parsed = ndjsonLineSchema.safeParse(JSON.parse(line));
        expect(parsed.success, `${line}\n${parsed.error?.message ?? ''}`).toBe(true);
      }
      expect(new Set(events.map((e) => e.type))).toEqual(
        new Set(['drill-start', 'step-start', 'step-end', 'check', 'tags', 'log', 'progress', 'lfs-file', 'assertion', 'drift', 'snapshot', 'facts', 'config-files', 'service-log', 'rto', 'sign-off', 'verdict', 'isolation', 'provenance', 'outside-input', 'connections', 'drill-end']),
      );
      // v1.2 was recorded on a build machine like this one: what differs, if anything, is at most a warning.
      expect(events.filter((e) => e.type === 'drift').map((e) => e.step)).toEqual(['snapshot', 'install']);
      expect(events[0]).toMatchObject({ type: 'drill-start', plan: 'demo', mode: 'drill' });
      expect(events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'passed', exitCode: 0 });
      expect(events.filter((e) => e.type === 'drill-start' || e.type === 'drill-end')).toHaveLength(2);
      expectAllStepsInOrder(events);
      for (const end of events.filter((e) => e.type === 'step-end')) expect(['passed', 'warned'], end.step).toContain(end.status);

      const reportDir = events.at(-1)!.reportDir!;
      expect(path.dirname(reportDir)).toBe(path.join(reports, 'demo'));
      expect(path.basename(reportDir)).toMatch(/^\d{8}T\d{6}Z-v1\.2-config-tuned(-\d+)?$/);
      const report = await readReport(reportDir);
      expect(report.verdict).toBe('passed');
      expect(report.snapshot.tag).toBe('v1.2-config-tuned');
      // The plan's rto.goal travels with the times it judges, and the summary says whether it was met
      expect(report.rto['goalMs']).toBe(15 * 60_000);
      expect(events.at(-1)!.summary).toMatch(/; recovery \d+(\.\d)? m?s from fetch to the first correct transcript \(goal 15 min: met\); critical path fetch → (install|verify) → start → assert$/);
      // The record is the fold of the stream: the saved NDJSON replays into exactly the saved report.json.
      const stream = result.stdout.split('\n').filter(Boolean).map((line) => {
        const { schemaVersion: _version, ...event } = JSON.parse(line) as DrillEvent & { schemaVersion: number };
        return event as DrillEvent;
      });
      expect(recordOf(stream)).toEqual(report);
      await expectNothingLeftBehind(tmp, report);
    },
    DRILL_TIMEOUT_MS + 30_000,
  );

  it(
    'SIGINT while the service starts: exit 130, report verdict aborted, service stopped, workspace removed',
    async () => {
      const tmp = await privateTmp();
      const reports = path.join(scratch, 'reports-interrupted');
      let interruptedAt: string | undefined;
      let running: ProcessInfo[] = [];
      const interrupt = (child: { kill: (signal: NodeJS.Signals) => boolean }, why: string) => {
        if (interruptedAt !== undefined) return;
        interruptedAt = why;
        // What runs under the drill's TMPDIR now is the service (and its shell): all of it must be gone afterwards.
        running = processesUsing(tmp);
        child.kill('SIGINT');
      };
      const result = await runCli(['drill', '--plan', demoCopy, '--tag', 'v1.2-config-tuned', '--json', '--report-dir', reports], {
        cwd,
        env: { TMPDIR: tmp },
        timeoutMs: DRILL_TIMEOUT_MS,
        onStdoutLine: (line, child) => {
          const event = JSON.parse(line) as JsonEvent;
          if (event.step !== 'start') return;
          // The service's first own output line: its process exists. Should it say nothing before it is ready,
          // the end of the step is the latest moment (the drill is then asserting, still with a live service).
          if (event.type === 'log' && event.stream !== 'info') interrupt(child, 'first service log line');
          else if (event.type === 'step-end') interrupt(child, 'end of the start step');
        },
      });
      expect(interruptedAt, describeRun(result)).toBeDefined();
      expect(result.code, describeRun(result)).toBe(130);
      expect(result.signal).toBeNull();
      expectCleanOutput(result);
      expect(running.some((p) => p.cmdline.includes('app.py')), `the service ran when interrupted:\n${describeProcesses(running)}`).toBe(true);

      const events = parseNdjson(result.stdout);
      expect(events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'aborted', exitCode: 130 });
      const teardown = events.find((e) => e.type === 'step-end' && e.step === 'teardown');
      expect(teardown?.status).toBe('passed');

      const folders = await reportDirsOf(reports);
      expect(folders).toHaveLength(1);
      const report = await readReport(path.join(reports, 'demo', folders[0]!));
      expect(report.verdict).toBe('aborted');
      expect(report.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
      expect(stepOf(report, 'teardown').status).toBe('passed');

      const alive = running.filter((p) => stillRunning(p.pid, p.cmdline));
      expect(alive, `still running:\n${describeProcesses(alive)}`).toEqual([]);
      await expectNothingLeftBehind(tmp, report);
    },
    DRILL_TIMEOUT_MS + 30_000,
  );

  it(
    'escape codes in tool output never reach the headless output',
    async () => {
      const tmp = await privateTmp();
      const reports = path.join(scratch, 'reports-coloured');
      const plan = await colouredPlan(await freePort(), [
        "printf '\\033[32mcoloured install output\\033[0m\\n'",
        "printf '\\033[1;31mwarning:\\033[0m on stderr\\n' >&2",
      ]);
      const result = await runCli(['drill', '--plan', plan, '--tag', 'v1.2-config-tuned', '--report-dir', reports], {
        cwd,
        env: { TMPDIR: tmp },
        timeoutMs: DRILL_TIMEOUT_MS,
      });
      expect(result.code, describeRun(result)).toBe(0);
      expectCleanOutput(result);
      // Shown, only without the codes.
      expect(result.stderr).toContain('coloured install output');
      expect(result.stderr).toContain('warning: on stderr');
      expect(result.stderr).toContain('starting');
      const folders = await readdir(path.join(reports, 'coloured'));
      await expectNothingLeftBehind(tmp, await readReport(path.join(reports, 'coloured', folders[0]!)));
    },
    DRILL_TIMEOUT_MS + 30_000,
  );

  it(
    'escape codes in the output of a failing tool never reach the headless output',
    async () => {
      const tmp = await privateTmp();
      const reports = path.join(scratch, 'reports-coloured-failure');
      const plan = await colouredPlan(await freePort(), ["printf '\\033[31merror:\\033[0m no such package\\n' >&2; exit 3"]);
      const result = await runCli(['drill', '--plan', plan, '--tag', 'v1.2-config-tuned', '--report-dir', reports], {
        cwd,
        env: { TMPDIR: tmp },
        timeoutMs: DRILL_TIMEOUT_MS,
      });
      expect(result.code, describeRun(result)).toBe(1);
      expectCleanOutput(result);
      expect(result.stderr).toMatch(/^\[FAIL\] install /m);
      expect(result.stderr).toContain('error: no such package');
      const folders = await readdir(path.join(reports, 'coloured'));
      await expectNothingLeftBehind(tmp, await readReport(path.join(reports, 'coloured', folders[0]!)));
    },
    DRILL_TIMEOUT_MS + 30_000,
  );

  it('drill --dry-run without --tag lists the tags, restores nothing, and is inconclusive (exit 3)', async () => {
    const reports = path.join(scratch, 'reports-dry-run');
    const result = await runCli(['drill', '--plan', DEMO_PLAN, '--dry-run', '--json', '--report-dir', reports], { cwd, timeoutMs: 60_000 });
    expect(result.code, describeRun(result)).toBe(3);
    const events = parseNdjson(result.stdout);
    expect(events.find((e) => e.type === 'tags')).toBeTruthy();
    const ends = Object.fromEntries(events.filter((e) => e.type === 'step-end').map((e) => [e.step, e.status]));
    expect(ends).toMatchObject({ snapshot: 'passed', fetch: 'skipped', verify: 'skipped', install: 'skipped', teardown: 'passed' });
    expect(events.find((e) => e.type === 'step-end' && e.step === 'snapshot')?.summary).toMatch(/^4 tag\(s\) match "v\*", newest v1\.3-signed-release; dry run: none chosen$/);
    expect(events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'inconclusive', exitCode: 3 });
  });

  it('check --plan drills/demo.yaml is healthy here and lists every check', async () => {
    const checkReports = path.join(scratch, 'reports-check');
    const result = await runCli(['check', '--plan', DEMO_PLAN, '--report-dir', checkReports], { cwd, timeoutMs: 60_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expectCleanOutput(result);
    const output = result.stdout + result.stderr;
    for (const title of ['git', 'Git LFS', 'Python', 'FFmpeg', 'NVIDIA driver', 'Free disk', 'Port 17860']) {
      expect(output).toMatch(new RegExp(`^\\s*\\[(ok  |warn|skip)\\] ${title}: `, 'm'));
    }
    expect(output).toMatch(/^HEALTHY: /m);
    // and, like a drill, leaves a report folder of its own
    const [folder, ...more] = await readdir(path.join(checkReports, 'demo'));
    expect(more).toEqual([]);
    expect(folder).toMatch(/^\d{8}T\d{6}Z-check(-\d+)?$/);
    const report = JSON.parse(await readFile(path.join(checkReports, 'demo', folder!, 'report.json'), 'utf8')) as { mode: string; verdict: string; steps: Array<{ id: string }> };
    expect(report).toMatchObject({ mode: 'check', verdict: 'passed' });
    expect(report.steps.map((s) => s.id)).toEqual(['environment']);
  });

  it('check --json prints the same NDJSON events as a drill, one step long', async () => {
    const checkReports = path.join(scratch, 'reports-check-json');
    const result = await runCli(['check', '--plan', DEMO_PLAN, '--json', '--report-dir', checkReports], { cwd, timeoutMs: 60_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expectCleanOutput(result);
    const events = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; plan?: string; mode?: string; verdict?: string; check?: { id: string } });
    expect(events[0]).toMatchObject({ type: 'drill-start', plan: 'demo', mode: 'check' });
    expect(events.at(-1)).toMatchObject({ type: 'drill-end', verdict: 'passed', exitCode: 0 });
    const checks = events.filter((e) => e.type === 'check').map((e) => e.check?.id);
    expect(checks).toEqual(expect.arrayContaining(['git', 'git-lfs', 'python', 'ffmpeg', 'nvidia', 'disk', 'port-17860']));
  });
});
