/** The plain reporter renders the core's facts itself: checks, files, assertions, the end. */
import { describe, expect, it } from 'vitest';
import type { DrillEvent } from '../../src/model/events.js';
import { plainReporter } from '../../src/reporters/plain.js';

function render(events: readonly DrillEvent[]): string[] {
  const out: string[] = [];
  const emit = plainReporter((text) => out.push(...text.split('\n').filter(Boolean)));
  for (const event of events) emit(event);
  return out;
}

const start = (mode: 'drill' | 'check'): DrillEvent => ({
  type: 'drill-start', at: '2026-11-29T00:00:00.000Z', plan: 'demo', planFile: '/p/demo.yaml', planSha256: '', mode, workdir: '/w', steps: [],
  tool: { name: 'whisper-drill', version: '0' }, host: { hostname: 'h', platform: 'linux', release: '', arch: 'x64', cpus: 2, memoryBytes: 0, node: 'v20' },
});
const end = (verdict: 'passed' | 'failed' | 'inconclusive' | 'aborted', cleanedUp = true): DrillEvent => ({
  type: 'drill-end', at: '2026-11-29T00:01:00.000Z', verdict, durationMs: 61_000, exitCode: 0, summary: 'it went', reportDir: '/r/x', cleanedUp,
});

describe('the plain reporter', () => {
  it('says whose each line is while install runs beside the download, and only then', () => {
    const at = '2026-11-29T00:00:01.000Z';
    const lines = render([
      start('drill'),
      { type: 'step-start', at, step: 'fetch', title: 'Fetch the snapshot and its LFS objects' },
      { type: 'log', step: 'fetch', stream: 'info', line: 'cloned v1.3' },
      { type: 'step-start', at, step: 'install', title: 'Install dependencies' },
      { type: 'log', step: 'install', stream: 'info', line: '$ pip install -r requirements.txt' },
      { type: 'log', step: 'fetch', stream: 'info', line: 'objects landed' },
      { type: 'step-end', at, step: 'fetch', status: 'passed', durationMs: 900, summary: '3 LFS objects', evidence: {} },
      { type: 'log', step: 'install', stream: 'stdout', line: 'Successfully installed numpy' },
    ]);
    expect(lines.slice(1)).toEqual([
      '-> fetch: Fetch the snapshot and its LFS objects',
      '   cloned v1.3',
      '-> install: Install dependencies',
      '   [install] $ pip install -r requirements.txt',
      '   [fetch] objects landed',
      '[ok  ] fetch (900 ms): 3 LFS objects',
      '   | Successfully installed numpy',
    ]);
  });

  it('lists the newest ten tags one a line, as the wizard does (date, LFS size, signature, last drill), and counts the rest', () => {
    const tags = Array.from({ length: 12 }, (_, i) => ({
      name: `v1.${12 - i}`, commit: 'c0ffee', date: `2026-${String(12 - (i % 12)).padStart(2, '0')}-01T00:00:00Z`, message: 'nightly', lfsFiles: 3, lfsBytes: 67_200_000,
      signature: i === 0 ? ('verified' as const) : ('unsigned' as const), ...(i === 1 ? { lastDrill: { verdict: 'failed' as const, at: '2026-11-01T00:00:00Z' } } : {}),
    }));
    const lines = render([start('drill'), { type: 'tags', tags }]);
    expect(lines[1]).toBe('   12 snapshot tag(s), the newest first:');
    expect(lines[2]).toMatch(/^ {5}v1\.12 +2026-12-01 +64\.1 MiB +signed ✔ +never drilled$/);
    expect(lines[3]).toMatch(/^ {5}v1\.11 +2026-11-01 +64\.1 MiB +unsigned +last drill failed$/);
    expect(lines.slice(2, 12)).toHaveLength(10);
    expect(lines[12]).toBe('     … and 2 older');
  });

  it('tags each check, LFS file and assertion with its status, in words a log can grep', () => {
    const lines = render([
      start('drill'),
      { type: 'check', step: 'environment', check: { id: 'ffmpeg', title: 'FFmpeg', status: 'failed', measured: 'ffmpeg not found', required: 'ffmpeg', fix: 'apt-get install -y ffmpeg' } },
      { type: 'lfs-file', file: { path: 'models/large-v3.pt', size: 3 * 1024 ** 3, oid: 'a'.repeat(64), verified: true } },
      { type: 'lfs-file', file: { path: 'example/test_cn.wav', size: 1024, oid: 'b'.repeat(64), verified: false, problem: 'sha256 c… on disk, expected b…' } },
      { type: 'assertion', outcome: { status: 'passed', name: 'mandarin', api: 'gradio', expected: '欢迎', actual: '欢迎', cer: 0, passed: true, required: true, latencyMs: 812, detail: 'contains the expected text' } },
      { type: 'assertion', outcome: { status: 'inconclusive', name: 'GPU', api: 'nvidia-smi', expected: '8000..12000 MiB in use', actual: '', cer: null, passed: false, inconclusive: true, required: true, latencyMs: null, detail: 'nvidia-smi not found' } },
      { type: 'assertion', outcome: { status: 'failed', name: 'silence', api: 'gradio', expected: '', actual: '字幕', cer: null, passed: false, required: true, latencyMs: 90, detail: 'expected silence' } },
    ]);
    expect(lines.slice(1)).toEqual([
      '   [FAIL] FFmpeg: ffmpeg not found (needs ffmpeg)',
      '           fix: apt-get install -y ffmpeg',
      `   [ok  ] models/large-v3.pt 3.0 GiB sha256 ${'a'.repeat(16)}…`,
      `   [FAIL] example/test_cn.wav 1.0 KiB sha256 ${'b'.repeat(16)}…: sha256 c… on disk, expected b…`,
      '   [ok  ] mandarin: contains the expected text, CER 0.000 in 812 ms',
      '   [????] GPU: nvidia-smi not found',
      '   [FAIL] silence: expected silence in 90 ms',
    ]);
  });

  it('ends a drill with its verdict and a check with the node\'s health', () => {
    expect(render([start('drill'), end('passed')]).slice(1)).toEqual(['PASSED in 1 min 1 s: it went', 'report: /r/x/report.md', 'page:   /r/x/report.html']);
    expect(render([start('check'), end('failed')]).slice(1)).toEqual(['UNHEALTHY: it went (in 1 min 1 s)', 'report: /r/x/report.md', 'page:   /r/x/report.html']);
  });

  it('says so when teardown could not clean up, instead of claiming nothing is left', () => {
    expect(render([start('drill'), end('aborted', false)])).toContain('teardown did not finish: see the teardown step above');
    expect(render([start('drill'), end('aborted', true)]).join('\n')).not.toContain('teardown did not finish');
  });

  it('keeps tool escape codes out of the log', () => {
    const lines = render([{ type: 'log', step: 'install', stream: 'stdout', line: '\u001b[31mERROR\u001b[0m bell\u0007' }]);
    expect(lines).toEqual(['   | ERROR bell']);
  });
});
