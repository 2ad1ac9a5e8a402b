/**
 * The verdict rules, the report renderings (Markdown and JUnit XML), the atomic report writer, and
 * reading earlier drills back from a report tree.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillRecord, StepStatus } from '../../src/model/record.js';
import { decideVerdict, EXIT_CODES, type VerdictInput } from '../../src/core/verdict.js';
import { lastDrillByTag, readHistory } from '../../src/history/read.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { renderJunit } from '../../src/outputs/junit.js';
import { renderMarkdown } from '../../src/outputs/markdown.js';

type Report = DrillRecord;

/** Writes the report folder the way the engine's save does. */
function writeReport(dir: string, report: Report, serviceLog?: string): Promise<void> {
  return writeOutputs({ ...report, reportDir: dir, service: { ...report.service, log: serviceLog ?? null } });
}

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-report-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const ALL_IDS = ['environment', 'snapshot', 'fetch', 'verify', 'install', 'start', 'assert', 'teardown'] as const;

function steps(overrides: Partial<Record<(typeof ALL_IDS)[number], StepStatus>> = {}): VerdictInput['steps'] {
  return ALL_IDS.map((id) => ({ id, status: overrides[id] ?? 'passed' }));
}

const healthy: VerdictInput = { aborted: false, steps: steps(), inconclusive: [], lfsFilesVerified: 3, assertionsRun: 2, mode: 'drill' };

describe('decideVerdict', () => {
  it.each<[string, Partial<VerdictInput>, ReturnType<typeof decideVerdict>]>([
    ['every step passed, files verified, assertions run', {}, { verdict: 'passed', reasons: [] }],
    ['warned steps do not fail a drill', { steps: steps({ environment: 'warned', assert: 'warned' }) }, { verdict: 'passed', reasons: [] }],
    ['zero LFS files verified', { lfsFilesVerified: 0 }, { verdict: 'inconclusive', reasons: ['zero LFS files were verified'] }],
    ['zero assertions run', { assertionsRun: 0 }, { verdict: 'inconclusive', reasons: ['zero assertions were run'] }],
    [
      'nothing verified and nothing asserted (a dry run)',
      { lfsFilesVerified: 0, assertionsRun: 0, steps: steps({ fetch: 'skipped', verify: 'skipped', install: 'skipped', start: 'skipped', assert: 'skipped' }) },
      { verdict: 'inconclusive', reasons: ['zero LFS files were verified', 'zero assertions were run'] },
    ],
    [
      'a required check that could not be carried out',
      { inconclusive: ['model resident on GPU: nvidia-smi not found'] },
      { verdict: 'inconclusive', reasons: ['model resident on GPU: nvidia-smi not found'] },
    ],
    ['a failed step', { steps: steps({ verify: 'failed', install: 'skipped' }) }, { verdict: 'failed', reasons: ['verify failed'] }],
    [
      'failures outrank inconclusive checks and empty counts',
      { steps: steps({ environment: 'failed', teardown: 'failed' }), inconclusive: ['CUDA: not shown'], lfsFilesVerified: 0, assertionsRun: 0 },
      { verdict: 'failed', reasons: ['environment failed', 'teardown failed'] },
    ],
    [
      'an abort outranks everything',
      { aborted: true, steps: steps({ start: 'failed' }), inconclusive: ['x'], lfsFilesVerified: 0, assertionsRun: 0 },
      { verdict: 'aborted', reasons: ['the drill was interrupted'] },
    ],
    ['a health check restores nothing and can pass', { mode: 'check', lfsFilesVerified: 0, assertionsRun: 0 }, { verdict: 'passed', reasons: [] }],
    ['a health check with a required check it could not run', { mode: 'check', inconclusive: ['PyTorch: no python'] }, { verdict: 'inconclusive', reasons: ['PyTorch: no python'] }],
  ])('%s', (_what, change, expected) => {
    expect(decideVerdict({ ...healthy, ...change })).toEqual(expected);
  });

  it('is never passed in drill or setup mode with zero files verified or zero assertions run', () => {
    for (const mode of ['drill', 'setup'] as const) {
      for (const [files, assertions] of [[0, 0], [0, 5], [5, 0]] as const) {
        expect(decideVerdict({ ...healthy, mode, lfsFilesVerified: files, assertionsRun: assertions }).verdict, `${mode} ${files}/${assertions}`).not.toBe('passed');
      }
    }
  });

  it('maps verdicts to the exit codes of the contract', () => {
    expect(EXIT_CODES).toEqual({ passed: 0, failed: 1, inconclusive: 3, aborted: 130 });
  });
});

/** A small failed drill whose texts carry the characters the renderings must escape. */
function smallReport(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'whisper-drill', version: '0.1.0' },
    plan: { name: 'demo', file: '/plans/demo.yaml', sha256: 'ab'.repeat(32) },
    mode: 'drill',
    snapshot: { repo: 'file:///backups/whisper-backup.git', tag: 'v1.2-config-tuned', commit: 'c0ffee'.padEnd(40, '0'), signature: 'unsigned' },
    host: { hostname: 'node-1', platform: 'linux', release: '6.1.0', arch: 'x64', cpus: 2, memoryBytes: 8 * 1024 ** 3, node: 'v20.20.2' },
    workdir: '/tmp/whisper-drill-demo-x',
    reportDir: '/reports/demo/20260601T020000Z-v1.2-config-tuned',
    exitCode: 1,
    startedAt: '2026-06-01T02:00:00.000Z',
    finishedAt: '2026-06-01T02:00:41.000Z',
    verdict: 'failed',
    verdictReasons: ['assert failed'],
    steps: [
      { id: 'environment', status: 'warned', startedAt: '2026-06-01T02:00:00.000Z', durationMs: 900, summary: '9/10 checks passed (NVIDIA driver skipped)', evidence: {} },
      { id: 'fetch', status: 'passed', startedAt: '2026-06-01T02:00:01.000Z', durationMs: 3200, summary: 'fetched a | b\nsecond line', evidence: {} },
      {
        id: 'assert', status: 'failed', startedAt: '2026-06-01T02:00:30.000Z', durationMs: 1500, summary: '1 of 2 failed: <unk> & "quotes"',
        error: { message: '1 of 2 failed: <unk> & "quotes"', hint: 'check the model <large-v3>' }, evidence: {},
      },
      { id: 'teardown', status: 'skipped', startedAt: '2026-06-01T02:00:40.000Z', durationMs: 0, summary: "not run: it's <skipped>", evidence: {} },
    ],
    environment: { checks: [{ id: 'port-7860', title: 'Port 7860', status: 'failed', measured: 'in use | by <pid 1>', required: 'free', fix: 'kill 1' }], facts: {} },
    lfs: { files: [{ path: 'models/large|v3.pt', size: 1024, oid: 'f'.repeat(64), verified: false, problem: 'sha256 a on disk | expected f' }] },
    assertions: [
      { status: 'failed',
        name: 'mandarin <zh> | sample', api: 'gradio', audio: 'example/test_cn.wav', expected: '欢迎使用Whisper服务', actual: '<|zh|> 字幕由Amara.org社群提供',
        cer: 0.75, passed: false, required: true, latencyMs: 812, detail: 'CER 0.750 > 0.1 | <too high>',
      },
      { status: 'inconclusive', name: 'model resident on GPU', api: 'nvidia-smi', expected: '8000..12000 MiB in use', actual: '', cer: null, passed: false, inconclusive: true, required: false, latencyMs: null, detail: 'nvidia-smi not found' },
    ],
    rto: { fetchMs: 3200, verifyMs: 400, totalMs: 41000 },
    service: { log: null, leftRunning: null },
    drift: {
      tag: 'v1.2-config-tuned', lockFound: true, recordedAt: '2026-05-04T02:00:00Z', recordedOn: 'gpu-node-07',
      items: [
        { key: 'python', title: 'Python', recorded: '3.10.12', current: '3.11.7', change: 'minor', severity: 'warn' },
        { key: 'driver', title: 'NVIDIA driver', recorded: '550.54.15', current: null, change: 'missing', severity: 'warn' },
        { key: 'package:torch', title: 'torch', recorded: '2.3.1+cu121', current: '2.3.1+cpu', change: 'patch', severity: 'info' },
      ],
      compared: ['OS', 'Python', 'NVIDIA driver', 'packages (pip freeze)'],
      notCompared: ['PyTorch'],
    },
    signOff: { operator: 'A. Operator', notes: 'quarterly drill\nticket OPS-1 | done' },
    changes: null,
    isolation: null,
    provenance: null,
    outsideInputs: [],
    connections: null,
  };
}

function tableRow(markdown: string, first: string): string {
  const row = markdown.split('\n').find((line) => line.startsWith(`| ${first}`));
  if (!row) throw new Error(`no row starting with ${first}`);
  return row;
}

/** Cells of a GFM table row: split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim());
}

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(smallReport());

  it('heads the report with the verdict, the plan and the tag, and says why', () => {
    expect(markdown.split('\n')[0]).toBe('# FAILED — demo v1.2-config-tuned');
    expect(markdown).toContain('- Why: assert failed');
    expect(markdown).toContain('| total | 41.0 s |');
    expect(markdown).toContain('| install | — |');
  });

  it('escapes | and line breaks so that every row keeps its columns', () => {
    expect(cells(tableRow(markdown, 'fetch'))).toEqual(['fetch', '✔ passed', '3.2 s', 'fetched a \\| b second line']);
    expect(cells(tableRow(markdown, 'models/large'))).toHaveLength(4);
    expect(cells(tableRow(markdown, 'Port 7860'))).toHaveLength(5);
    expect(cells(tableRow(markdown, 'mandarin'))).toHaveLength(7);
    for (const row of markdown.split('\n').filter((line) => line.startsWith('|'))) expect(row.endsWith('|'), row).toBe(true);
  });

  it('escapes < so that a transcript or message is not taken for an HTML tag', () => {
    const row = tableRow(markdown, 'mandarin');
    expect(row).toContain('\\<\\|zh\\|> 字幕由Amara.org社群提供');
    expect(row).toContain('mandarin \\<zh> \\| sample');
    expect(markdown).not.toMatch(/(?<!\\)<(unk|zh|large-v3|pid|skipped|too)/);
  });

  it('lists every difference from the tag\'s environment with its severity, and what was not compared', () => {
    expect(markdown).toContain("## Drift from v1.2-config-tuned's environment");
    expect(markdown).toContain("3 difference(s) from v1.2-config-tuned's environment (recorded 2026-05-04 on gpu-node-07): 0 fail, 2 warn, 1 info");
    expect(cells(tableRow(markdown, 'Python'))).toEqual(['Python', '3.10.12', '3.11.7', 'minor', '⚠ warn']);
    expect(cells(tableRow(markdown, 'NVIDIA driver'))).toEqual(['NVIDIA driver', '550.54.15', 'none', 'missing', '⚠ warn']);
    expect(cells(tableRow(markdown, 'torch'))).toEqual(['torch', '2.3.1+cu121', '2.3.1+cpu', 'patch', 'ℹ info']);
    expect(markdown).toContain('Not compared (not measured by this run): PyTorch.');
  });

  it('marks inconclusive assertions as not run, and unverified files with their problem', () => {
    expect(tableRow(markdown, 'model resident on GPU')).toContain('? not run — nvidia-smi not found');
    expect(tableRow(markdown, 'models/large')).toContain('✖ no — sha256 a on disk \\| expected f');
  });
});

/** Parse XML with Python's expat: a stricter reader than any regular expression. */
function parseXml(text: string): Promise<{ ok: boolean; output: string }> {
  const script = [
    'import sys, xml.etree.ElementTree as ET',
    'root = ET.fromstring(sys.stdin.buffer.read())',
    'suite = root.find("testsuite")',
    'print(root.get("tests"), root.get("failures"), root.get("skipped"))',
    'for case in suite.findall("testcase"):',
    '    kind = "failure" if case.find("failure") is not None else "skipped" if case.find("skipped") is not None else "ok"',
    '    node = case.find(kind) if kind != "ok" else None',
    '    print(kind, case.get("name"), "=>", (node.get("message") if node is not None else ""))',
  ].join('\n');
  return new Promise((resolve) => {
    const child = execFile('python3', ['-c', script], (error, stdout, stderr) => resolve({ ok: !error, output: error ? stderr : stdout }));
    child.stdin?.end(text);
  });
}

describe('renderJunit', () => {
  it('is well-formed XML with one test case per step and per assertion, and the counts', async () => {
    const parsed = await parseXml(renderJunit(smallReport()));
    expect(parsed.ok, parsed.output).toBe(true);
    expect(parsed.output.split('\n').filter(Boolean)).toEqual([
      '6 2 2',
      'ok environment => ',
      'ok fetch => ',
      'failure assert => 1 of 2 failed: <unk> & "quotes"',
      "skipped teardown => not run: it's <skipped>",
      'failure mandarin <zh> | sample => CER 0.750 > 0.1 | <too high>',
      'skipped model resident on GPU => nvidia-smi not found',
    ]);
  });

  it('escapes <, &, and quotes in names, messages and bodies', () => {
    const xml = renderJunit(smallReport());
    expect(xml).toContain('name="mandarin &lt;zh&gt; | sample"');
    expect(xml).toContain('<failure message="1 of 2 failed: &lt;unk&gt; &amp; &quot;quotes&quot;">check the model &lt;large-v3&gt;</failure>');
    expect(xml).toContain('actual: &lt;|zh|&gt; 字幕由Amara.org社群提供');
  });

  it('stays well-formed when a message carries terminal control characters', async () => {
    // Given a failure whose log tail came from a tool that colours its output (as with FORCE_COLOR in CI)
    const report = smallReport();
    const colored = { ...report, steps: report.steps.map((s) => (s.id === 'assert' ? { ...s, summary: '\u001b[31mERROR\u001b[0m: no model\u0007' } : s)) };

    const parsed = await parseXml(renderJunit(colored));

    expect(parsed.ok, parsed.output).toBe(true);
    expect(parsed.output).toContain('failure assert => [31mERROR[0m: no model');
  });
});

describe('writeReport', () => {
  it('writes report.json, report.md, junit.xml and a service.log placeholder, leaving no temp file', async () => {
    const dir = path.join(tmp, 'written', 'demo', '20260601T020000Z-v1.2-config-tuned');
    const report = smallReport();

    await writeReport(dir, report);

    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md', 'service.log']);
    const written = { ...report, reportDir: dir };
    expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'))).toEqual(written);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toBe(renderMarkdown(written));
    expect(await readFile(path.join(dir, 'junit.xml'), 'utf8')).toBe(renderJunit(written));
    expect(await readFile(path.join(dir, 'service.log'), 'utf8')).toBe('(the service was not started)\n');
  });

  it('replaces an earlier report in place and copies the service log, leaving no temp file', async () => {
    const dir = path.join(tmp, 'rewritten');
    await writeReport(dir, smallReport());
    const log = path.join(tmp, 'service-output.log');
    await writeFile(log, 'Running on local URL:  http://127.0.0.1:7860\n');
    const second = { ...smallReport(), verdict: 'passed' as const, verdictReasons: [] };

    await writeReport(dir, second, log);

    const files = await readdir(dir);
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(files.sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md', 'service.log']);
    expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'))).toMatchObject({ verdict: 'passed' });
    expect(await readFile(path.join(dir, 'service.log'), 'utf8')).toBe('Running on local URL:  http://127.0.0.1:7860\n');
  });

  it('keeps a service log that already lives in the report folder', async () => {
    const dir = path.join(tmp, 'in-place');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'service.log'), 'written by the service itself\n');

    await writeReport(dir, smallReport(), path.join(dir, 'service.log'));

    expect(await readFile(path.join(dir, 'service.log'), 'utf8')).toBe('written by the service itself\n');
  });
});

describe('readHistory and lastDrillByTag', () => {
  let root = '';

  async function drillReport(plan: string, folder: string, content: unknown): Promise<void> {
    const dir = path.join(root, plan, folder);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'report.json'), typeof content === 'string' ? content : JSON.stringify(content));
  }

  beforeAll(async () => {
    // Given a report tree with drills of two plans, in folder order that is not time order,
    // a folder without a report and one with a broken report
    root = path.join(tmp, 'history');
    const base = { mode: 'drill', rto: { fetchMs: 1000, totalMs: 40000 } };
    await drillReport('demo', '20260301T020000Z-v1.0-model-large-v3', { ...base, snapshot: { tag: 'v1.0-model-large-v3' }, verdict: 'passed', startedAt: '2026-03-01T02:00:00.000Z' });
    await drillReport('demo', '20260601T020000Z-v1.2-config-tuned', { ...base, snapshot: { tag: 'v1.2-config-tuned' }, verdict: 'passed', startedAt: '2026-06-01T02:00:00.000Z' });
    await drillReport('demo', '20260501T020000Z-v1.2-config-tuned', { ...base, snapshot: { tag: 'v1.2-config-tuned' }, verdict: 'failed', startedAt: '2026-05-01T02:00:00.000Z' });
    // The folder name says March, the report says July: the report is what counts.
    await drillReport('demo', '20260302T020000Z-v1.1-broken-model', { ...base, snapshot: { tag: 'v1.1-broken-model' }, verdict: 'failed', startedAt: '2026-07-01T02:00:00.000Z' });
    await drillReport('demo', '20260401T020000Z-no-tag', { mode: 'check', snapshot: { tag: null }, verdict: 'inconclusive', startedAt: '2026-04-01T02:00:00.000Z' });
    await drillReport('demo', '20260402T020000Z-broken', '{ "verdict": ');
    await mkdir(path.join(root, 'demo', 'not-a-drill'), { recursive: true });
    await drillReport('other-plan', '20260801T020000Z-v9', { ...base, snapshot: { tag: 'v1.2-config-tuned' }, verdict: 'aborted', startedAt: '2026-08-01T02:00:00.000Z' });
  });

  it('reads every readable drill of the plan, oldest first', async () => {
    const drills = await readHistory(root, 'demo');

    expect(drills.map((d) => [d.startedAt.slice(0, 10), d.tag, d.verdict])).toEqual([
      ['2026-03-01', 'v1.0-model-large-v3', 'passed'],
      ['2026-04-01', null, 'inconclusive'],
      ['2026-05-01', 'v1.2-config-tuned', 'failed'],
      ['2026-06-01', 'v1.2-config-tuned', 'passed'],
      ['2026-07-01', 'v1.1-broken-model', 'failed'],
    ]);
    expect(drills[0]).toMatchObject({ dir: path.join(root, 'demo', '20260301T020000Z-v1.0-model-large-v3'), mode: 'drill', rto: { fetchMs: 1000, totalMs: 40000 } });
    expect(drills[1]!.rto).toEqual({});
  });

  it('gives the newest verdict of each tag', async () => {
    const byTag = lastDrillByTag(await readHistory(root, 'demo'));

    expect(Object.fromEntries(byTag)).toEqual({
      'v1.0-model-large-v3': { verdict: 'passed', at: '2026-03-01T02:00:00.000Z' },
      'v1.2-config-tuned': { verdict: 'passed', at: '2026-06-01T02:00:00.000Z' },
      'v1.1-broken-model': { verdict: 'failed', at: '2026-07-01T02:00:00.000Z' },
    });
  });

  it('finds nothing for a plan never drilled or a report folder that does not exist', async () => {
    expect(await readHistory(root, 'never-drilled')).toEqual([]);
    expect(lastDrillByTag(await readHistory(path.join(tmp, 'no-such-folder'), 'demo')).size).toBe(0);
  });
});
