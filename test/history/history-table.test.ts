/** The history table's recovery column, held to the plan's goal. */
import { describe, expect, it } from 'vitest';
import { renderHostHistory } from '../../src/commands/history-table.js';
import { historyByHost } from '../../src/history/trend.js';
import { asPastDrill, quarterlyDrills } from '../helpers/reports.js';

const NOW = new Date('2026-06-30T12:00:00Z');

describe('the recovery column', () => {
  it('marks a recovery longer than the goal the drill was held to, and leaves one within it plain', () => {
    const [first, second] = quarterlyDrills('gpu-a', [10_000, 11_000], NOW).map(asPastDrill);
    const drills = [
      { ...first!, rto: { ...first!.rto, recoveryMs: 1_200_000, goalMs: 900_000 } },
      { ...second!, rto: { ...second!.rto, recoveryMs: 600_000, goalMs: 900_000 } },
    ];
    const [history] = historyByHost(drills, NOW);
    const rows = renderHostHistory(history!).filter((line) => /^\d{4}-/.test(line));
    expect(rows[0]).toMatch(/\s20 min ✗goal\s/);
    expect(rows[1]).toMatch(/\s10 min\s/);
    expect(rows[1]).not.toContain('✗goal');
  });

  it('says what decided each recovery between fetch and start: install beside the download, or verify', () => {
    const [first, second, third] = quarterlyDrills('gpu-a', [10_000, 11_000, 12_000], NOW).map(asPastDrill);
    const drills = [
      { ...first!, rto: { ...first!.rto, criticalPath: ['fetch', 'install', 'start', 'assert'] as const } },
      { ...second!, rto: { ...second!.rto, criticalPath: ['fetch', 'verify', 'start', 'assert'] as const } },
      { ...third!, rto: { ...third!.rto } },
    ];
    const [history] = historyByHost(drills, NOW);
    const lines = renderHostHistory(history!);
    expect(lines.find((line) => line.includes('started (UTC)'))).toMatch(/decided by$/);
    const rows = lines.filter((line) => /^\d{4}-/.test(line));
    expect(rows.map((row) => row.split(/\s{2,}/).at(-1))).toEqual(['install', 'verify', '—']);
  });
});
