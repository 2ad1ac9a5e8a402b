/**
 * The process groups the drill has started and not yet stopped — the service's, and each plan
 * command's while it runs: a forced exit (a second Ctrl-C) kills them all, and an abort reaches
 * every process a command started, not only its shell.
 */
import { killMarked } from './run-mark.js';

const live = new Set<number>();
/** Run ids of services not yet stopped: their processes that left the group are found by it. */
const runs = new Set<string>();

export function addLiveRun(runId: string): void {
  runs.add(runId);
}

export function removeLiveRun(runId: string): void {
  runs.delete(runId);
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

export function addLiveGroup(pgid: number): void {
  live.add(pgid);
}

export function removeLiveGroup(pgid: number): void {
  live.delete(pgid);
}

const forcedExitHooks = new Set<() => void>();

/** Run on a forced exit (killForForcedExit), after every group is killed (a drill saves what it recorded, removes its workspace). Returns its removal. */
export function onForcedExit(hook: () => void): () => void {
  forcedExitHooks.add(hook);
  return () => forcedExitHooks.delete(hook);
}

export function killLiveGroups(): void {
  for (const pgid of live) signalGroup(pgid, 'SIGKILL');
  live.clear();
  for (const runId of runs) killMarked(runId);
  runs.clear();
}

/** A forced exit (a second interrupt): every group killed, then each drill's hook (its report saved as far as it got). */
export function killForForcedExit(): void {
  killLiveGroups();
  for (const hook of forcedExitHooks) {
    try {
      hook();
    } catch {
      // Going anyway: a hook that fails must not keep the others from running.
    }
  }
  forcedExitHooks.clear();
}
