/**
 * `--resume latest|DIR`: the drill that was killed before it ended (SIGKILL, power loss, the SSH session
 * gone), found by its claim in the drill cache (./workspace-claim.ts), which it kept current as each step
 * started and ended. `latest` is the plan's most recent such drill; DIR, the one whose workspace it is.
 * A drill still running is not resumed: it is named.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../model/errors.js';
import { markedProcesses } from '../adapters/run-mark.js';
import { allClaims, describeHolder, dropDeadClaim, holderAlive, readClaim, stopWhatWasLeft, type WorkspaceClaim } from './workspace-claim.js';

const lastSign = (claim: WorkspaceClaim) => Date.parse(claim.aliveAt ?? claim.startedAt);

export function findInterrupted(cacheRoot: string, which: string, planName: string, mode: 'drill' | 'setup'): WorkspaceClaim {
  if (which !== 'latest') {
    const dir = path.resolve(which);
    const claim = readClaim(cacheRoot, dir);
    if (!claim) throw usageError(`${dir}: no interrupted drill restored into it (a drill that ended, passed or not, is not resumed: run it again)`);
    return resumable(claim, planName, mode);
  }
  const gone = allClaims(cacheRoot).filter((claim) => claim.plan === planName && claim.mode === mode && !holderAlive(claim) && existsSync(claim.workspace));
  const latest = gone.sort((a, b) => lastSign(b) - lastSign(a))[0];
  if (!latest) {
    const running = allClaims(cacheRoot).find((claim) => claim.plan === planName && claim.mode === mode && holderAlive(claim));
    if (running) throw usageError(`no interrupted ${mode} of ${planName} to resume; one is running: ${describeHolder(running)}`);
    throw usageError(`no interrupted ${mode} of ${planName} to resume (a drill that ended, passed or not, is not resumed: run it again)`);
  }
  return latest;
}

function resumable(claim: WorkspaceClaim, planName: string, mode: 'drill' | 'setup'): WorkspaceClaim {
  if (holderAlive(claim)) throw usageError(`${claim.workspace} is in use by a drill that is still running: ${describeHolder(claim)}`, 'wait for it to end; only a drill that was killed is resumed');
  if (claim.plan !== undefined && claim.plan !== planName) throw usageError(`${claim.workspace} was restored by a drill of plan ${claim.plan}, not ${planName}`, `resume it with that plan (--plan)`);
  if (claim.mode !== undefined && claim.mode !== mode) throw usageError(`${claim.workspace} was restored by \`${claim.mode}\`, not \`${mode}\``, `resume it with whisper-drill ${claim.mode} --resume`);
  if (!existsSync(claim.workspace)) throw usageError(`${claim.workspace}: the interrupted drill's workspace is gone; nothing to resume (run the drill again)`);
  return claim;
}

/**
 * Workspaces the plan's killed drills left on disk (not `except`, this drill's own): each said at the start
 * of the next drill, with how to go on with it — a scratch workspace of a drill killed outright is never
 * removed by anyone else. A killed setup's service that still runs is named (see endWhatKilledDrillsLeft).
 */
export function leftByKilledDrills(cacheRoot: string, planName: string, except: string): string[] {
  return allClaims(cacheRoot)
    .filter((claim) => claim.plan === planName && claim.workspace !== except && existsSync(claim.workspace) && !holderAlive(claim))
    .map((claim) => {
      const mode = claim.mode ?? 'drill';
      const running = claim.service ? markedProcesses(claim.service.runId) : [];
      const runs = running.length ? `; its service still runs (pid ${running.join(', ')}): the resume ends it first, or end it with kill -TERM -- -${claim.service!.pgid}` : '';
      return `a ${mode} of ${planName} killed after ${claim.aliveAt ?? claim.startedAt} left its workspace ${claim.workspace}${claim.tag ? ` (${claim.tag.name})` : ''}: go on with it (whisper-drill ${mode} --resume ${claim.workspace}) or remove it${runs}`;
    });
}

/**
 * What killed drills left running, ended at the next drill's start (not `except`'s, this drill's own): the
 * service and every process a killed *drill* of the plan had started (found by their run ids) — a scratch
 * restore's, which a resume would start anew anyway, and which would otherwise hold its port and GPU memory
 * for good — and those of any killed drill whose workspace was removed by hand (nothing can resume it). A
 * killed setup's service, whose workspace is still there, may be the node's: it is named, not ended.
 */
export async function endWhatKilledDrillsLeft(cacheRoot: string, planName: string, except: string, graceMs: number): Promise<string[]> {
  const said: string[] = [];
  for (const claim of allClaims(cacheRoot)) {
    if (claim.workspace === except || holderAlive(claim)) continue;
    const gone = !existsSync(claim.workspace);
    if (!gone && (claim.plan !== planName || (claim.mode ?? 'drill') !== 'drill')) continue;
    const ended = await stopWhatWasLeft(claim, graceMs);
    if (ended.length) said.push(`a ${claim.mode ?? 'drill'} of ${claim.plan ?? 'another plan'} killed after ${claim.aliveAt ?? claim.startedAt} in ${claim.workspace}${gone ? ' (since removed)' : ''} had left processes running: ${ended.join('; ')}`);
  }
  return said;
}

/** The claims of killed drills whose workspace is gone (removed by hand): nothing to resume, so forgotten. */
export function forgetGoneClaims(cacheRoot: string): void {
  for (const claim of allClaims(cacheRoot)) if (!existsSync(claim.workspace) && !holderAlive(claim)) dropDeadClaim(cacheRoot, claim);
}
