/** Earlier drills of a plan, read back from their report.json files. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Verdict } from '../core/events.js';

export interface PastDrill {
  readonly dir: string;
  readonly tag: string | null;
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly mode: string;
  readonly rto: Readonly<Record<string, number | undefined>>;
}

export async function readHistory(reportRoot: string, planName: string): Promise<PastDrill[]> {
  const planDir = path.resolve(reportRoot, planName);
  const entries = await readdir(planDir).catch(() => [] as string[]);
  const drills: PastDrill[] = [];
  for (const entry of entries.sort()) {
    const dir = path.join(planDir, entry);
    try {
      const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as {
        snapshot?: { tag?: string | null };
        verdict: Verdict;
        startedAt: string;
        mode: string;
        rto?: Record<string, number>;
      };
      drills.push({ dir, tag: report.snapshot?.tag ?? null, verdict: report.verdict, startedAt: report.startedAt, mode: report.mode, rto: report.rto ?? {} });
    } catch {
      // A folder without a readable report is not a drill of ours.
    }
  }
  return drills.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The newest drill verdict for each tag. */
export async function lastDrillByTag(reportRoot: string, planName: string): Promise<Map<string, { verdict: Verdict; at: string }>> {
  const byTag = new Map<string, { verdict: Verdict; at: string }>();
  for (const drill of await readHistory(reportRoot, planName)) {
    if (drill.tag) byTag.set(drill.tag, { verdict: drill.verdict, at: drill.startedAt });
  }
  return byTag;
}
