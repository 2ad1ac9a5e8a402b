/** Earlier drills, read back from their report.json files under the report root (`<root>/<plan>/<stamp>-<tag>/`). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Verdict } from '../core/model.js';

export interface PastDrill {
  readonly plan: string;
  readonly dir: string;
  readonly tag: string | null;
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly mode: string;
  readonly host: string | null;
  readonly rto: Readonly<Record<string, number | undefined>>;
}

interface ReportFile {
  readonly plan?: { readonly name?: string };
  readonly snapshot?: { readonly tag?: string | null };
  readonly host?: { readonly hostname?: string };
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly mode: string;
  readonly rto?: Record<string, number>;
}

/** Drills, setups and checks of one plan, oldest first. */
export async function readHistory(reportRoot: string, planName: string): Promise<PastDrill[]> {
  const planDir = path.resolve(reportRoot, planName);
  const entries = await readdir(planDir).catch(() => [] as string[]);
  const drills: PastDrill[] = [];
  for (const entry of entries.sort()) {
    const dir = path.join(planDir, entry);
    try {
      const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as ReportFile;
      drills.push({
        plan: report.plan?.name ?? planName,
        dir,
        tag: report.snapshot?.tag ?? null,
        verdict: report.verdict,
        startedAt: report.startedAt,
        mode: report.mode,
        host: report.host?.hostname ?? null,
        rto: report.rto ?? {},
      });
    } catch {
      // A folder without a readable report is not a drill of ours.
    }
  }
  return drills.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Every plan's drills under the report root, oldest first. */
export async function readAllHistory(reportRoot: string): Promise<PastDrill[]> {
  const plans = await readdir(path.resolve(reportRoot), { withFileTypes: true }).catch(() => []);
  const all = await Promise.all(plans.filter((entry) => entry.isDirectory()).map((entry) => readHistory(reportRoot, entry.name)));
  return all.flat().sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The newest drill verdict for each tag. */
export async function lastDrillByTag(reportRoot: string, planName: string): Promise<Map<string, { verdict: Verdict; at: string }>> {
  const byTag = new Map<string, { verdict: Verdict; at: string }>();
  for (const drill of await readHistory(reportRoot, planName)) {
    if (drill.tag) byTag.set(drill.tag, { verdict: drill.verdict, at: drill.startedAt });
  }
  return byTag;
}
