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
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endMarked } from '../adapters/run-mark.js';
import type { EarlierRun } from '../model/record.js';
import { redactText } from '../model/redact.js';
import { usageError } from '../model/errors.js';

export interface WorkspaceClaim {
  readonly workspace: string;
  /** The host the holder runs on: a cache shared between nodes (NFS) holds other hosts' claims, whose pids say nothing here. */
  readonly host?: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, names one process for the life of the host. */
  readonly startTicks: string;
  readonly command: string;
  readonly startedAt: string;
  readonly service?: { readonly pgid: number; readonly runId: string };
  /** Carried by every other process the drill runs (install's commands, git, the probes). */
  readonly runId?: string;
  /** Each step as it starts ('running') and ends (its status and duration). */
  readonly steps?: ReadonlyArray<{ readonly id: string; readonly status: string; readonly durationMs?: number }>;
  /** What `--resume` needs to go on: the plan's name, the mode, the tag chosen, whether the drill made the workspace. */
  readonly plan?: string;
  readonly mode?: string;
  readonly tag?: { readonly name: string; readonly commit: string };
  readonly archive?: string;
  readonly created?: boolean;
  readonly keep?: boolean;
  /** setup --systemd: the resumed setup hands its service to systemd too. */
  readonly systemd?: boolean;
  /** The last sign of life (written every few seconds): a killed drill's span ends here. */
  readonly aliveAt?: string;
  /** When its fetch began: the recovery time it spent runs from here to aliveAt. */
  readonly recoveryFrom?: string;
  /** The operator's think time so far (answers to the wizard's questions): not part of its span. */
  readonly operatorMs?: number;
  /** The runs before this one, when this one resumed a drill. */
  readonly earlier?: readonly EarlierRun[];
}

/** A gone holder as a run that counts: from its start to its last sign of life. */
export function earlierRunOf(claim: WorkspaceClaim): EarlierRun {
  const start = Date.parse(claim.startedAt);
  const end = Math.max(start, Date.parse(claim.aliveAt ?? claim.startedAt));
  const recoveryFrom = claim.recoveryFrom ? Date.parse(claim.recoveryFrom) : undefined;
  return {
    pid: claim.pid,
    command: claim.command,
    startedAt: claim.startedAt,
    endedAt: new Date(end).toISOString(),
    ms: Math.max(0, end - start - (claim.operatorMs ?? 0)),
    ...(recoveryFrom !== undefined ? { recoveryMs: Math.max(0, end - recoveryFrom) } : {}),
    steps: claim.steps ?? [],
  };
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
  return readClaimFile(claimFile(cacheRoot, dir));
}

export function readClaimFile(file: string): WorkspaceClaim | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WorkspaceClaim;
  } catch {
    return undefined;
  }
}

/** Every claim in the cache: the drills running, and those killed before they ended. */
export function allClaims(cacheRoot: string): WorkspaceClaim[] {
  const folder = path.join(cacheRoot, 'workspaces');
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith('.json')).flatMap((name) => readClaimFile(path.join(folder, name)) ?? []);
}

/** The holder still runs: the same pid, started at the same moment (not a recycled pid); without /proc, the pid alone. */
export function holderAlive(claim: WorkspaceClaim): boolean {
  // Another host's drill cannot be seen from here: taken for running, never taken over.
  if (claim.host !== undefined && claim.host !== os.hostname()) return true;
  if (claim.startTicks === '' || !existsSync('/proc/self/stat')) {
    try {
      process.kill(claim.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return processStartTicks(claim.pid) === claim.startTicks;
}

/**
 * Takes the claim only if nobody holds it: created with O_EXCL, so of two drills started together on one
 * workspace exactly one gets it. Returns the holder when another has it (alive or not: the caller decides).
 */
export function acquireClaim(cacheRoot: string, claim: WorkspaceClaim): WorkspaceClaim | undefined {
  const file = claimFile(cacheRoot, claim.workspace);
  claimsFolder(file);
  try {
    writeFileSync(file, `${JSON.stringify(claim, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readClaim(cacheRoot, claim.workspace) ?? { ...claim, pid: -1, startTicks: 'unreadable', command: '(a claim that cannot be read)' };
  }
}

/**
 * The claim, taken: at once when nobody holds it; from a holder that is gone (killed), which is returned for the
 * caller to clear up after; refused — naming the holder, with `hint` — while the holder runs. Of two drills
 * taking a dead holder's claim together, one gets it; the other is refused, naming it.
 */
export function takeClaim(cacheRoot: string, mine: WorkspaceClaim, hint: string): WorkspaceClaim | undefined {
  const refuse = (holder: WorkspaceClaim) => usageError(`${mine.workspace} is in use by another drill: ${describeHolder(holder)}`, hint);
  const holder = acquireClaim(cacheRoot, mine);
  if (!holder) return undefined;
  if (holderAlive(holder)) throw refuse(holder);
  dropDeadClaim(cacheRoot, holder);
  const taker = acquireClaim(cacheRoot, mine);
  if (taker) throw refuse(taker);
  return holder;
}

/** A dead holder's claim, removed so that acquireClaim can take it (only if it is still that holder's). */
export function dropDeadClaim(cacheRoot: string, dead: WorkspaceClaim): void {
  const now = readClaim(cacheRoot, dead.workspace);
  if (!now || (now.pid === dead.pid && now.startedAt === dead.startedAt)) rmSync(claimFile(cacheRoot, dead.workspace), { force: true });
}

/** The claims' folder, the operator's alone (a claim names the drill's command line and its workspace); one made before that is closed too. */
function claimsFolder(file: string): void {
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  try {
    chmodSync(folder, 0o700);
  } catch {
    // Not ours to change (another user's cache): the files are 0600 all the same.
  }
}

/** Written whole or not at all: a drill killed mid-write leaves the previous claim. */
export function writeClaim(cacheRoot: string, claim: WorkspaceClaim, sync = true): void {
  const file = claimFile(cacheRoot, claim.workspace);
  claimsFolder(file);
  const temp = `${file}.${process.pid}.tmp`;
  // Synced before the rename: after a power loss the claim is the old one or the new one, never empty.
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(claim, null, 2)}\n`);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export function ownClaim(workspace: string, startedAt: Date): WorkspaceClaim {
  // Credentials in a URL argument (--archive https://user:token@…) never reach the claim.
  const command = redactText(process.argv.slice(1).map((arg) => (path.basename(arg) === 'cli.js' ? 'whisper-drill' : arg)).join(' '));
  return { workspace, host: os.hostname(), pid: process.pid, startTicks: processStartTicks(process.pid) ?? '', command, startedAt: startedAt.toISOString() };
}

export function releaseClaim(cacheRoot: string, claim: WorkspaceClaim): void {
  const held = readClaim(cacheRoot, claim.workspace);
  if (held?.pid === claim.pid && held.startedAt === claim.startedAt && existsSync(claimFile(cacheRoot, claim.workspace))) rmSync(claimFile(cacheRoot, claim.workspace), { force: true });
}

export function describeHolder(claim: WorkspaceClaim): string {
  return `pid ${claim.pid} (\`${claim.command}\`), started ${claim.startedAt}`;
}

/**
 * What a holder that is gone left running: every process carrying its service's run id (its whole group
 * carries it, and what left the group). By the run id only, never by the process group's number, which a
 * reboot may have given to another program.
 */
export async function stopWhatWasLeft(claim: WorkspaceClaim, graceMs: number): Promise<string[]> {
  const said: string[] = [];
  if (claim.service) {
    const ended = await endMarked(claim.service.runId, graceMs);
    if (ended.length) said.push(`ended ${ended.length} process(es) of its service, still running (pid ${ended.join(', ')}; process group ${claim.service.pgid} then)`);
  }
  if (claim.runId) {
    const ended = await endMarked(claim.runId, graceMs);
    if (ended.length) said.push(`ended ${ended.length} other process(es) it had started, still running (pid ${ended.join(', ')})`);
  }
  return said;
}
