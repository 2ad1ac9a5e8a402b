/**
 * A long-running child in its own process group (the service under test): started through the
 * shell (the plan's trusted command), output appended to a log file and streamed line by line,
 * stopped with TERM to the whole group, then KILL after a grace period.
 */
import { sleep } from '../model/sleep.js';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isRunning, readProcessTable } from './process-table.js';
import { capLog, followLog, type LogCap, type LogFollower } from './log-follow.js';
import { addLiveGroup, addLiveRun, removeLiveGroup, removeLiveRun, signalGroup } from './live-groups.js';
import { endMarked, newRunId, RUN_ID_VAR, termStrays } from './run-mark.js';

export interface ServiceProcess {
  readonly pid: number;
  readonly command: string;
  /** Resolves when the shell that started the service exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly hasExited: () => boolean;
  /** TERM the group, wait up to `graceMs`, then KILL. Resolves with how it ended. */
  readonly stop: (graceMs: number) => Promise<StopOutcome>;
  /** Stop streaming the log (the service keeps running). */
  readonly stopFollowing: () => Promise<void>;
  /** Hand the service over to the operator (setup mode): a forced exit no longer kills it. */
  readonly release: () => void;
  /** In the environment of every process of the service (RUN_ID_VAR), also of one that left the group. */
  readonly runId: string;
  /** Bytes of the service's log dropped to keep it under its cap (0: it stayed under). */
  readonly logDroppedBytes: () => number;
}

export interface StopOutcome {
  readonly signal: 'none' | 'TERM' | 'KILL';
  readonly groupGone: boolean;
  readonly durationMs: number;
  /** Processes that had left the group (setsid) and were ended by their run id. */
  readonly strays?: readonly number[];
}

export interface StartOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly logFile: string;
  readonly onLine?: (line: string) => void;
  /** The command as the operator wrote it, for messages, when `command` wraps it (the drill's shim). */
  readonly display?: string;
  /** The run id put in the service's environment (a new one when absent). */
  readonly runId?: string;
  /** The log's cap (service.logMaxMiB): kept under it while the drill holds the service. */
  readonly logMaxBytes?: number;
  /** Live lines handed over per read at most (a flood is skipped in the live view, not in the file). */
  readonly linesPerRead?: number;
}

export { killForForcedExit, killLiveGroups } from './live-groups.js';

/**
 * Is any process of the group still running? Zombies do not count: once the shell that started the
 * service is gone, its children are reparented to PID 1, and a lazy init may reap them seconds later.
 */
export function groupAlive(pgid: number): boolean {
  const members = runningGroupMembers(pgid);
  if (members !== undefined) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Running (non-zombie) members of a process group, from /proc; undefined where there is no /proc. */
export function runningGroupMembers(pgid: number): number[] | undefined {
  return readProcessTable()?.filter((entry) => entry.pgrp === pgid && isRunning(entry)).map((entry) => entry.pid);
}


async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  // The group has no exit event of its own (grandchildren are not ours to wait for): poll its liveness.
  while (performance.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await sleep(50);
  }
  return !groupAlive(pgid);
}

/** TERM the whole group, wait up to `graceMs`, then KILL: also for a group an earlier run left (`stop`). */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<StopOutcome> {
  const started = performance.now();
  if (!groupAlive(pgid)) return { signal: 'none', groupGone: true, durationMs: 0 };
  signalGroup(pgid, 'SIGTERM');
  if (await waitForGroupExit(pgid, graceMs)) return { signal: 'TERM', groupGone: true, durationMs: Math.round(performance.now() - started) };
  signalGroup(pgid, 'SIGKILL');
  const gone = await waitForGroupExit(pgid, 5_000);
  return { signal: 'KILL', groupGone: gone, durationMs: Math.round(performance.now() - started) };
}

/**
 * The service writes straight into its log file (not through a pipe to us), so it keeps running
 * unharmed when whisper-drill exits in setup mode; we follow the file for the live tail.
 */
export function startServiceProcess(command: string, options: StartOptions): ServiceProcess {
  const fd = openSync(options.logFile, 'a');
  let follower: LogFollower | undefined;
  const runId = options.runId ?? newRunId();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PYTHONUNBUFFERED: '1', [RUN_ID_VAR]: runId },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start \`${command}\` in ${options.cwd}`);
  child.unref();
  addLiveGroup(pid);
  addLiveRun(runId);
  if (options.onLine) follower = followLog(options.logFile, options.onLine, options.linesPerRead ? { linesPerRead: options.linesPerRead } : {});
  const cap: LogCap | undefined = options.logMaxBytes ? capLog(options.logFile, options.logMaxBytes) : undefined;
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
    child.once('error', () => {
      exitedFlag = true;
      resolve({ code: 127, signal: null });
    });
  });

  const stop = async (graceMs: number): Promise<StopOutcome> => {
    try {
      // What left the group (a setsid() daemon) still carries the run id in its environment: it gets its
      // TERM with the group's, and what is left of it after the group is gone, TERM then KILL.
      const termed = termStrays(runId, pid);
      const outcome = await stopProcessGroup(pid, graceMs);
      const strays = [...new Set([...termed, ...(await endMarked(runId, graceMs))])];
      return strays.length ? { ...outcome, strays } : outcome;
    } finally {
      removeLiveGroup(pid);
      removeLiveRun(runId);
      await follower?.close();
      await cap?.stop();
    }
  };

  const stopFollowing = async () => {
    await follower?.close();
  };
  /** Left running on purpose (setup mode): no longer ours to kill. */
  const release = () => {
    removeLiveGroup(pid);
    removeLiveRun(runId);
    // Left running (setup): its log is the node's to rotate from here (the unit, logrotate).
    void cap?.stop();
  };
  return { pid, command: options.display ?? command, exited, hasExited: () => exitedFlag, stop, stopFollowing, release, runId, logDroppedBytes: () => cap?.droppedBytes() ?? 0 };
}
