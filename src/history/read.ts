/**
 * Earlier drills, read back from their report.json files under the report root: a node's own
 * `<root>/<plan>/<stamp>-<tag>/`, and the fleet's `<root>/<host>/<plan>/<stamp>-<tag>/` that the
 * Ansible playbook gathers on the controller. The plan is read from each report; so is the host,
 * except in a fleet's folder, where the controller's name for the node (the folder's) is the one
 * its operators use — nodes cloned from one image may even share a hostname.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillRecord, RecoveryTimes, Verdict } from '../model/record.js';

export interface PastDrill {
  readonly plan: string;
  readonly dir: string;
  readonly tag: string | null;
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly mode: string;
  readonly host: string | null;
  readonly rto: RecoveryTimes;
  /** The plan's `policy.every` when the drill ran (e.g. "90d"). */
  readonly policyEvery?: string;
  /** The restored commit and audited configuration files, for the next drill's comparison. */
  readonly commit?: string | null;
  readonly configFiles?: Readonly<Record<string, string | null>>;
}

interface ReportFile {
  readonly plan?: { readonly name?: string; readonly policy?: { readonly every?: string } };
  readonly snapshot?: { readonly tag?: string | null; readonly commit?: string | null; readonly configFiles?: Record<string, string | null> };
  readonly host?: { readonly hostname?: string };
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly mode: string;
  readonly rto?: RecoveryTimes;
}

/** A plan's folder holds report folders; a fleet host's folder holds plan folders: three levels at most. */
const MAX_DEPTH = 3;

/** A report as history sees it; `pastDrillOf(record)` is this run's own, before anything reads it back. */
export function pastDrillOf(report: ReportFile | DrillRecord, dir: string, fallbackPlan = '', fleetHost?: string): PastDrill {
  return {
    plan: report.plan?.name ?? fallbackPlan,
    dir,
    tag: report.snapshot?.tag ?? null,
    verdict: report.verdict,
    startedAt: report.startedAt,
    mode: report.mode,
    host: fleetHost ?? report.host?.hostname ?? null,
    rto: report.rto ?? {},
    ...(report.plan?.policy?.every ? { policyEvery: report.plan.policy.every } : {}),
    ...(report.snapshot?.commit !== undefined ? { commit: report.snapshot.commit } : {}),
    ...(report.snapshot?.configFiles ? { configFiles: report.snapshot.configFiles } : {}),
  };
}

async function readReport(dir: string, fallbackPlan: string, fleetHost: string | undefined): Promise<PastDrill | undefined> {
  try {
    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as ReportFile;
    if (typeof report.verdict !== 'string' || typeof report.startedAt !== 'string') return undefined;
    return pastDrillOf(report, dir, fallbackPlan, fleetHost);
  } catch {
    // A folder without a readable report is not a drill of ours.
    return undefined;
  }
}

/** `depth` counts folders below the report root; a report three down is a fleet host's (`<host>/<plan>/<stamp>`). */
async function collect(root: string, dir: string, depth: number, found: PastDrill[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.isFile() && entry.name === 'report.json')) {
    const fleetHost = depth === MAX_DEPTH ? path.relative(root, dir).split(path.sep)[0] : undefined;
    const drill = await readReport(dir, path.basename(path.dirname(dir)), fleetHost);
    if (drill) found.push(drill);
    return;
  }
  if (depth === MAX_DEPTH) return;
  const subdirs = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
  await Promise.all(subdirs.map((entry) => collect(root, path.join(dir, entry.name), depth + 1, found)));
}

const oldestFirst = (a: PastDrill, b: PastDrill) => a.startedAt.localeCompare(b.startedAt) || a.dir.localeCompare(b.dir);

/** Every drill, setup and check under the report root, of every plan and host, oldest first. */
export async function readAllHistory(reportRoot: string): Promise<PastDrill[]> {
  const found: PastDrill[] = [];
  await collect(path.resolve(reportRoot), path.resolve(reportRoot), 0, found);
  return found.sort(oldestFirst);
}

/** Drills, setups and checks of one plan (this node's layout, `<root>/<plan>/…`), oldest first. */
export async function readHistory(reportRoot: string, planName: string): Promise<PastDrill[]> {
  const found: PastDrill[] = [];
  // A node's own plan folder: its reports are two down, never a fleet host's.
  await collect(path.resolve(reportRoot), path.resolve(reportRoot, planName), 1, found);
  return found.filter((drill) => drill.plan === planName).sort(oldestFirst);
}

/** The newest drill verdict for each tag. */
export function lastDrillByTag(history: readonly PastDrill[]): Map<string, { verdict: Verdict; at: string }> {
  const byTag = new Map<string, { verdict: Verdict; at: string }>();
  for (const drill of history) {
    if (drill.tag) byTag.set(drill.tag, { verdict: drill.verdict, at: drill.startedAt });
  }
  return byTag;
}
