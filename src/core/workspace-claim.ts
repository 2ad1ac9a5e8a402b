/**
 * A workspace belongs to one drill at a time. The drill that restores into it claims it in the drill
 * cache (`<cache>/workspaces/<sha256 of the path>.json`: not in the workspace, which git must find empty
 * to clone into) — its pid and that process's start time (so a recycled pid is not taken
 * for it), its command line, when it started — and, as the drill goes on, the service's process group
 * and run id: what a later drill needs to find what a killed one left running. A second drill on a
 * workspace whose holder is alive refuses, naming it; a holder that is gone (SIGKILL, power loss, the
 * SSH session closed) is taken over: what it left running is stopped, then the workspace is restored anew.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stopProcessGroup } from '../adapters/process-group.js';
import { endMarked } from '../adapters/run-mark.js';

export interface WorkspaceClaim {
  readonly workspace: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, names one process for the life of the host. */
  readonly startTicks: string;
  readonly command: string;
  readonly startedAt: string;
  readonly service?: { readonly pgid: number; readonly runId: string };
  readonly steps?: ReadonlyArray<{ readonly id: string; readonly status: string }>;
}

export function claimFile(cacheRoot: string, dir: string): string {
  return path.join(cacheRoot, 'workspaces', `${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)}.json`);
}

export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function readClaim(cacheRoot: string, dir: string): WorkspaceClaim | undefined {
  try {
    return JSON.parse(readFileSync(claimFile(cacheRoot, dir), 'utf8')) as WorkspaceClaim;
  } catch {
    return undefined;
  }
}

/** The holder still runs: the same pid, started at the same moment (not a recycled pid). */
export function holderAlive(claim: WorkspaceClaim): boolean {
  return processStartTicks(claim.pid) === claim.startTicks;
}

/** Written whole or not at all: a drill killed mid-write leaves the previous claim. */
export function writeClaim(cacheRoot: string, claim: WorkspaceClaim): void {
  const file = claimFile(cacheRoot, claim.workspace);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(claim, null, 2)}\n`);
  renameSync(temp, file);
}

export function ownClaim(workspace: string, startedAt: Date): WorkspaceClaim {
  return { workspace, pid: process.pid, startTicks: processStartTicks(process.pid) ?? '', command: process.argv.slice(1).map((arg) => path.basename(arg) === 'cli.js' ? 'whisper-drill' : arg).join(' '), startedAt: startedAt.toISOString() };
}

export function releaseClaim(cacheRoot: string, claim: WorkspaceClaim): void {
  const held = readClaim(cacheRoot, claim.workspace);
  if (held?.pid === claim.pid && held.startedAt === claim.startedAt && existsSync(claimFile(cacheRoot, claim.workspace))) rmSync(claimFile(cacheRoot, claim.workspace), { force: true });
}

export function describeHolder(claim: WorkspaceClaim): string {
  return `pid ${claim.pid} (\`${claim.command}\`), started ${claim.startedAt}`;
}

/** What a holder that is gone left running: its service's process group, and every process carrying its run id. */
export async function stopWhatWasLeft(claim: WorkspaceClaim, graceMs: number): Promise<string[]> {
  if (!claim.service) return [];
  const { pgid, runId } = claim.service;
  const group = await stopProcessGroup(pgid, graceMs);
  const strays = await endMarked(runId, graceMs);
  const stopped = group.signal === 'none' ? [] : [`stopped its service (process group ${pgid}) with SIG${group.signal}`];
  return [...stopped, ...(strays.length ? [`ended ${strays.length} process(es) of its service that had left the group (pid ${strays.join(', ')})`] : [])];
}
