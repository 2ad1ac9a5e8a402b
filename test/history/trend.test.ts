import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAllHistory, readHistory } from '../../src/history/read.js';
import { historyByHost, median, sparkline } from '../../src/history/trend.js';
import { asPastDrill, quarterlyDrills, writePastReport } from '../helpers/reports.js';

const NOW = new Date('2026-06-30T12:00:00Z');
let root = '';
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-history-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('history read back', () => {
  it('names a fleet node as the controller gathered it (its folder), not by the hostname it reported', async () => {
    await writePastReport(path.join(root, 'gpu-a'), quarterlyDrills('localhost', [12_000], NOW)[0]!);
    expect((await readAllHistory(root)).map((d) => d.host)).toEqual(['gpu-a']);
  });

  it('finds a node\'s own reports and a fleet\'s gathered under <root>/<host>/, with plan and host from each report', async () => {
    // Given one drill in this node's layout and two gathered from fleet nodes
    await writePastReport(root, quarterlyDrills('here', [10_000], NOW)[0]!);
    for (const host of ['gpu-a', 'gpu-b']) await writePastReport(path.join(root, host), quarterlyDrills(host, [12_000], NOW, { plan: 'large-v3' })[0]!);
    // When all of it is read
    const drills = await readAllHistory(root);
    // Then every drill is there, with its plan and host
    expect(drills.map((d) => [d.plan, d.host]).sort()).toEqual([['demo', 'here'], ['large-v3', 'gpu-a'], ['large-v3', 'gpu-b']]);
    expect((await readHistory(root, 'demo')).map((d) => d.host)).toEqual(['here']);
  });
});

describe('history analysis', () => {
  it('flags a phase more than 25% slower than the median of the previous four passing drills on that host', () => {
    const drills = quarterlyDrills('gpu-a', [10_000, 11_000, 30_000, 10_500, 10_000, 14_000], NOW).map(asPastDrill);
    const [history] = historyByHost(drills, NOW);
    const flagged = history!.drills.map((d) => d.regressions.map((r) => `${r.phase}:${r.baselineMs}`));
    // The first two have no baseline; the third is 30 s against 10.5 s; the sixth 14 s against median(11, 30, 10.5, 10) = 10.75 s.
    expect(flagged[0]).toEqual([]);
    expect(flagged[1]).toEqual([]);
    expect(flagged[2]).toEqual(['installMs:8500', 'totalMs:10500']);
    expect(flagged[3]).toEqual([]);
    expect(flagged[5]).toEqual(['installMs:8750', 'totalMs:10750']);
  });

  it('says a drill is overdue once the last passing one is older than the policy, and when none passed', () => {
    const recent = quarterlyDrills('gpu-a', [10_000, 10_000], NOW, { endDaysAgo: 30, policy: '90d' }).map(asPastDrill);
    const old = quarterlyDrills('gpu-b', [10_000], NOW, { endDaysAgo: 120, policy: '90d' }).map(asPastDrill);
    const failed = { ...old[0]!, host: 'gpu-c', verdict: 'failed' as const, startedAt: NOW.toISOString() };
    const byHost = Object.fromEntries(historyByHost([...recent, ...old, failed], NOW).map((h) => [h.host, h.policy]));
    expect(byHost['gpu-a']).toMatchObject({ every: '90d', overdue: false, ageMs: 30 * 86_400_000 });
    expect(byHost['gpu-b']).toMatchObject({ overdue: true, ageMs: 120 * 86_400_000 });
    expect(byHost['gpu-c']).toMatchObject({ overdue: true, lastPassedAt: null });
    // The plan file's policy wins over what the reports recorded.
    expect(historyByHost(old, NOW, '26w')[0]!.policy).toMatchObject({ every: '26w', overdue: false });
  });

  it('draws the trend as a sparkline, and takes medians of even and odd counts', () => {
    expect(sparkline([1000, 2000, undefined, 8000])).toBe('▁▂·█');
    expect(median([4, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
