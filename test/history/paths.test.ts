import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimReportDir, reportDirFor } from '../../src/history/paths.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'wd-paths-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('report folders', () => {
  it('are named by plan, UTC second and tag', () => {
    const dir = reportDirFor(tmp, 'demo', new Date('2026-04-01T02:00:00.123Z'), 'v1/odd tag');
    expect(path.relative(tmp, dir)).toBe(path.join('demo', '20260401T020000Z-v1_odd_tag'));
  });

  it('are never shared: drills of one plan started in the same second each get their own', async () => {
    const wanted = reportDirFor(tmp, 'demo', new Date('2026-04-01T02:00:00Z'), 'v1.0');
    const dirs = [claimReportDir(wanted), claimReportDir(wanted), claimReportDir(wanted)];
    expect(dirs).toEqual([wanted, `${wanted}-2`, `${wanted}-3`]);
    expect((await readdir(path.join(tmp, 'demo'))).sort()).toEqual(['20260401T020000Z-v1.0', '20260401T020000Z-v1.0-2', '20260401T020000Z-v1.0-3']);
  });
});
