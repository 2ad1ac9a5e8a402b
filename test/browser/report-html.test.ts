/**
 * report.html in a real browser: Debian's Chromium, headless, driven by playwright-core. The page of a
 * passing drill of the sample (the built CLI), and of a failing and an aborted one: the verdict, the
 * sections and the timeline's bars are there, nothing overflows at 1280 px or at 390 px, the passing
 * drill's report prints on at most 3 A4 pages, and no request leaves the page. history.html of a fleet
 * (through the built CLI): the overdue node first, a chart per node, every drill linked.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/outputs/html.js';
import { describeRun, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { quarterlyDrills, recordOf, writePastReport } from '../helpers/reports.js';

const CHROMIUM = '/usr/bin/chromium';
let tmp = '';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: ./scripts/setup.sh --test installs Debian's chromium`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-browser-'));
  // As root Chromium needs --no-sandbox; the pages are our own files.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function drilledPage(tag: string, code: number): Promise<string> {
  const { file } = await writeDemoPlan(path.join(tmp, `${tag}.yaml`));
  const reports = path.join(tmp, `reports-${tag}`);
  const result = await runCli(['drill', '--plan', file, '--tag', tag, '--yes', '--report-dir', reports], { cwd: tmp, timeoutMs: 120_000 });
  expect(result.code, describeRun(result)).toBe(code);
  const [folder] = await readdir(path.join(reports, 'demo'));
  return path.join(reports, 'demo', folder!, 'report.html');
}

interface Seen {
  readonly headline: string;
  readonly sections: string[];
  readonly bars: number;
  readonly overflow: Record<number, number>;
  readonly requests: string[];
  readonly pdfPages: number;
}

async function open(file: string): Promise<Seen> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  try {
    await page.goto(`file://${file}`);
    const overflow: Record<number, number> = {};
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      overflow[width] = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    }
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    return {
      headline: (await page.textContent('h1')) ?? '',
      sections: await page.$$eval('main h2', (headings) => headings.map((h) => h.textContent ?? '')),
      bars: await page.$$eval('#timeline svg rect', (rects) => rects.length),
      overflow,
      requests,
      pdfPages: (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length,
    };
  } finally {
    await page.close();
  }
}

describe.concurrent('report.html in Chromium', () => {
  it('a passing drill of the sample: verdict, sections, a bar per step, no overflow, at most 3 A4 pages, no request out', async () => {
    const seen = await open(await drilledPage('v1.3-signed-release', 0));
    expect(seen.headline).toBe('PASSED — demo v1.3-signed-release');
    expect(seen.sections).toEqual(expect.arrayContaining(['Timeline of the phases', 'Steps', 'Environment', 'LFS files', 'Assertions', 'Isolation']));
    expect(seen.bars).toBe(8);
    expect(seen.overflow).toEqual({ 1280: 0, 390: 0 });
    expect(seen.pdfPages).toBeGreaterThan(0);
    expect(seen.pdfPages).toBeLessThanOrEqual(3);
    expect(seen.requests).toEqual([expect.stringMatching(/^file:\/\/.*report\.html$/)]);
  });

  it('a failing drill, its service\'s last words and a failed transcript: FAILED, the steps that ran, no overflow, no request out', async () => {
    const startedAt = '2026-12-01T03:00:00.000Z';
    const at = (ms: number) => new Date(Date.parse(startedAt) + ms).toISOString();
    const record = {
      ...recordOf({ plan: 'demo', host: 'gpu-07', startedAt, tag: 'v1.1-broken-model', verdict: 'failed', rto: { fetchMs: 2000, verifyMs: 100, totalMs: 4000 } }, [
        { status: 'failed', name: 'mandarin sample', api: 'gradio', expected: '欢迎使用Whisper服务', actual: '欢迎使用', normalizedExpected: '欢迎使用whisper服务', normalizedActual: '欢迎使用', cer: 0.6, passed: false, required: true, latencyMs: 120, detail: 'CER 0.600 > 0.1' },
      ]),
      verdictReasons: ['assert failed'],
      steps: (['environment', 'snapshot', 'fetch', 'verify', 'install', 'start', 'assert', 'teardown'] as const).map((id, index) => ({ id, status: id === 'assert' ? ('failed' as const) : ('passed' as const), startedAt: at(index * 400), durationMs: 350, summary: `${id} summary`, evidence: {} })),
      service: { log: '/w/service.log', leftRunning: null, logTail: ['Loading model large-v3', 'RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory'] },
    };
    const file = path.join(tmp, 'failed.html');
    await writeFile(file, renderHtml(record as never));
    const seen = await open(file);
    expect(seen.headline).toBe('FAILED — demo v1.1-broken-model');
    expect(seen.sections).toEqual(expect.arrayContaining(['Timeline of the phases', 'Steps', 'Assertions', "The service's last log lines"]));
    expect(seen.bars).toBe(8);
    expect(seen.overflow).toEqual({ 1280: 0, 390: 0 });
    expect(seen.requests).toEqual([`file://${file}`]);
  });

  it('an aborted drill, whose transcript holds markup: ABORTED, the markup shown as text, nothing loaded', async () => {
    const startedAt = '2026-12-01T03:00:00.000Z';
    const record = {
      ...recordOf({ plan: 'demo', host: 'gpu-07', startedAt, tag: 'v1.3', verdict: 'aborted', rto: { fetchMs: 2000, totalMs: 2500 } }, [
        { status: 'failed', name: 'sample', api: 'gradio', expected: 'x', actual: '<script>document.title="owned"</script><img src="http://127.0.0.2:9/x">', cer: 1, passed: false, required: true, latencyMs: 5, detail: 'aborted' },
      ]),
      steps: [
        { id: 'environment' as const, status: 'passed' as const, startedAt, durationMs: 300, summary: 'ok', evidence: {} },
        { id: 'fetch' as const, status: 'aborted' as const, startedAt: '2026-12-01T03:00:00.400Z', durationMs: 2000, summary: 'interrupted by SIGINT', evidence: {} },
      ],
    };
    const file = path.join(tmp, 'aborted.html');
    await writeFile(file, renderHtml(record as never));
    const seen = await open(file);
    expect(seen.headline).toBe('ABORTED — demo v1.3');
    expect(seen.bars).toBe(2);
    expect(seen.overflow).toEqual({ 1280: 0, 390: 0 });
    // The <img> is text: nothing was fetched from 127.0.0.2, and no script ran.
    expect(seen.requests).toEqual([`file://${file}`]);
  });

  it('history.html of a fleet: the overdue node first, a chart per node with the slower drill outlined, every drill linked, nothing loaded', async () => {
    const fleet = path.join(tmp, 'fleet');
    const now = new Date();
    for (const drill of quarterlyDrills('gpu-a', [10_000, 10_400, 9_800, 10_100, 16_000], now, { plan: 'large-v3', policy: '90d' })) await writePastReport(path.join(fleet, 'gpu-a'), drill);
    for (const drill of quarterlyDrills('gpu-b', [11_000, 11_500], now, { plan: 'large-v3', policy: '90d', endDaysAgo: 120 })) await writePastReport(path.join(fleet, 'gpu-b'), drill);
    const page = path.join(tmp, 'pages', 'history.html');
    const result = await runCli(['history', '--report-dir', fleet, '--html', page], { cwd: tmp, timeoutMs: 30_000 });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stderr).toContain(`history page written to ${page}`);
    // A folder given for the page: said before anything is written, exit 2, nothing left beside it.
    const refused = await runCli(['history', '--report-dir', fleet, '--html', path.dirname(page)], { cwd: tmp, timeoutMs: 30_000 });
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toContain(`--html ${path.dirname(page)}: a directory; name the page to write`);
    expect(await readdir(path.dirname(page))).toEqual(['history.html']);
    const browserPage = await browser.newPage({ viewport: { width: 390, height: 900 } });
    const requests: string[] = [];
    browserPage.on('request', (request) => requests.push(request.url()));
    try {
      await browserPage.goto(`file://${page}`);
      const grid = await browserPage.$$eval('#fleet tbody tr', (rows) => rows.map((row) => Array.from(row.querySelectorAll('td')).map((td) => td.textContent ?? '')));
      expect(grid.map((row) => row[0])).toEqual(['gpu-b', 'gpu-a']);
      expect(grid[0]![4]).toMatch(/^✖ OVERDUE: last passing drill/);
      expect(await browserPage.$$eval('main h2', (headings) => headings.map((h) => h.textContent))).toEqual(['Nodes and their latest drill', 'large-v3 on gpu-a', 'large-v3 on gpu-b']);
      expect(await browserPage.$$eval('svg circle', (dots) => dots.length)).toBe(7);
      expect(await browserPage.$$eval('svg circle[stroke]', (dots) => dots.length)).toBe(1);
      // The overdue node's chart ends in a band that says so.
      expect(await browserPage.$$eval('svg rect', (bands) => bands.map((band) => band.querySelector('title')?.textContent))).toEqual(['overdue: no passing drill within 90d']);
      // Drills saved before report.html existed link to their report.md, relative to the page.
      const links = await browserPage.$$eval('main section:not(#fleet) a', (anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
      expect(links).toHaveLength(7);
      for (const link of links) expect(link).toMatch(/^\.\.\/fleet\/gpu-[ab]\/large-v3\/\d{8}T\d{6}Z-v1\.\d\/report\.md$/);
      expect(await browserPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
      expect(requests).toEqual([`file://${page}`]);
    } finally {
      await browserPage.close();
    }
  });
});
