/**
 * The service's processes carry the drill's run id in their environment (WHISPER_DRILL_RUN_ID), which
 * every child inherits: a worker that called setsid() and was reparented to init has left the process
 * group and the process tree, but not its environment. Teardown ends every process whose
 * /proc/<pid>/environ holds the id (Linux; a process of another user is unreadable and left alone).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from '../model/sleep.js';
import { isRunning, parseStat } from './process-table.js';

export const RUN_ID_VAR = 'WHISPER_DRILL_RUN_ID';

export function newRunId(): string {
  return randomUUID();
}

/** Live processes whose environment holds `RUN_ID_VAR=runId` (not this process), outside process group `notInGroup` when given. */
export function markedProcesses(runId: string, notInGroup?: number): number[] {
  const needle = Buffer.from(`\0${RUN_ID_VAR}=${runId}\0`);
  const first = Buffer.from(`${RUN_ID_VAR}=${runId}\0`);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (!environ.includes(needle) && !environ.subarray(0, first.length).equals(first)) continue;
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      // A zombie still shows its environment: it is dead already.
      if (!stat || !isRunning(stat) || stat.pgrp === notInGroup) continue;
      found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone already
    }
  }
}

/** TERM the marked processes that are outside process group `pgid` (they would not get the group's TERM); returns them. */
export function termStrays(runId: string, pgid: number): number[] {
  const strays = markedProcesses(runId, pgid);
  signal(strays, 'SIGTERM');
  return strays;
}

/** TERM every marked process, KILL what is left after `graceMs`. Returns the pids that had to be ended. */
export async function endMarked(runId: string, graceMs: number): Promise<number[]> {
  const strays = markedProcesses(runId);
  if (strays.length === 0) return [];
  signal(strays, 'SIGTERM');
  const deadline = performance.now() + graceMs;
  // No exit event for processes that are not our children: poll until they are gone.
  while (markedProcesses(runId).length > 0 && performance.now() < deadline) await sleep(50);
  const left = markedProcesses(runId);
  signal(left, 'SIGKILL');
  const killDeadline = performance.now() + 5_000;
  while (markedProcesses(runId).length > 0 && performance.now() < killDeadline) await sleep(50);
  return strays;
}

/** On a forced exit: KILL every marked process at once. */
export function killMarked(runId: string): void {
  signal(markedProcesses(runId), 'SIGKILL');
}
