/** A resumed drill's report: each run with its span (the killed ones, then this one), and each step resumed or redone. */
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../src/model/record.js';
import { renderHtml } from '../../src/outputs/html.js';
import { renderMarkdown } from '../../src/outputs/markdown.js';
import { recordOf } from '../helpers/reports.js';

function resumedDrill(): DrillRecord {
  const base = recordOf({ plan: 'whisper', host: 'gpu-07', startedAt: '2026-12-01T04:00:00.000Z', tag: 'v1.3', verdict: 'passed', rto: { recoveryMs: 70_000, totalMs: 150_000, thisRunMs: 60_000 } });
  return {
    ...base,
    finishedAt: '2026-12-01T04:01:00.000Z',
    resumed: {
      earlier: [
        {
          pid: 4242,
          command: 'whisper-drill drill --plan whisper.yaml --tag v1.3',
          startedAt: '2026-12-01T03:00:00.000Z',
          endedAt: '2026-12-01T03:01:30.000Z',
          ms: 90_000,
          recoveryMs: 40_000,
          steps: [{ id: 'environment', status: 'passed', durationMs: 300 }, { id: 'fetch', status: 'running' }],
        },
      ],
      said: 'resuming the drill killed in /srv/restore: pid 4242; ended 1 other process(es) it had started, still running (pid 4300)',
    },
    steps: [
      { id: 'environment', status: 'passed', startedAt: '2026-12-01T04:00:00.000Z', durationMs: 300, summary: '4/4 checks passed', evidence: {}, resume: 'redone' },
      { id: 'fetch', status: 'passed', startedAt: '2026-12-01T04:00:01.000Z', durationMs: 20_000, summary: "3 LFS objects; the killed drill's clone kept", evidence: {}, resume: 'resumed' },
      { id: 'start', status: 'passed', startedAt: '2026-12-01T04:00:21.000Z', durationMs: 9_000, summary: 'ready', evidence: {} },
    ],
  };
}

describe('a resumed drill', () => {
  it('report.md lists each run with its span and what the killed one had done, and each step resumed or redone', () => {
    const md = renderMarkdown(resumedDrill());
    expect(md).toContain("- Resumed after a kill (`--resume`); the recovery time counts each run's span:");
    expect(md).toContain('  - run 1, killed: pid 4242 (`whisper-drill drill --plan whisper.yaml --tag v1.3`), 2026-12-01T03:00:00.000Z → 2026-12-01T03:01:30.000Z (its last sign of life): 1 min 30 s, 40.0 s of it from its fetch on; it had run environment (passed), fetch (killed in it)');
    expect(md).toContain('  - run 2, this one (--resume): 2026-12-01T04:00:00.000Z → 2026-12-01T04:01:00.000Z: 1 min; the time between the runs is not counted');
    expect(md).toContain('  - before its first step: resuming the drill killed in /srv/restore: pid 4242; ended 1 other process(es) it had started, still running (pid 4300)');
    expect(md).toMatch(/\| environment \| \S+ passed \(redone\) \|/);
    expect(md).toMatch(/\| fetch \| \S+ passed \(resumed\) \|/);
    expect(md).toMatch(/\| start \| \S+ passed \| /);
    expect(md).toContain('| killed run 1 (pid 4242) | 1 min 30 s |');
    expect(md).toContain('| this run | 1 min |');
    expect(md).toContain('| total (every run) | 2 min 30 s |');
  });

  it('report.html says it at the top, and marks the steps', () => {
    const html = renderHtml(resumedDrill());
    expect(html).toMatch(/<dt>Resumed after a kill<\/dt><dd><ul><li>run 1, killed: pid 4242/);
    expect(html).toContain('<em>resumed</em>');
    expect(html).toContain('<em>redone</em>');
  });
});

describe('what a drill found and did before its first step', () => {
  const notices = [
    'took over /srv/restore from a drill that is gone: pid 4242 (`whisper-drill drill --plan whisper.yaml`); what it restored was cleared',
    'a drill of whisper killed after 2026-12-01T03:01:30.000Z in /tmp/ws <script> had left processes running: ended 1 process(es) of its service',
  ];
  it('is listed in report.md and report.html (escaped), and absent when there was nothing', () => {
    const plain = recordOf({ plan: 'whisper', host: 'gpu-07', startedAt: '2026-12-01T04:00:00.000Z', tag: 'v1.3', verdict: 'passed', rto: { totalMs: 60_000 } });
    const record: DrillRecord = { ...plain, notices };
    expect(renderMarkdown(record)).toContain(['- Before the first step:', ...notices.map((line) => `  - ${line}`)].join('\n'));
    const html = renderHtml(record);
    expect(html).toContain('Before the first step');
    expect(html).toContain('in /tmp/ws &lt;script&gt; had left processes running');
    expect(renderMarkdown(plain)).not.toContain('Before the first step');
    expect(renderHtml(plain)).not.toContain('Before the first step');
  });
});
