/** --resume finds the drill that was killed: the plan's latest, or the one in DIR; never one still running. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { endWhatKilledDrillsLeft, findInterrupted, forgetGoneClaims, leftByKilledDrills } from '../../src/core/resume.js';
import { RUN_ID_VAR, markedProcesses, newRunId } from '../../src/adapters/run-mark.js';
import { allClaims, earlierRunOf, ownClaim, writeClaim, type WorkspaceClaim } from '../../src/core/workspace-claim.js';

let root: string;
let cache: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'resume-'));
  cache = path.join(root, 'cache');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A claim of a drill that is gone (a pid no process has) or, with `alive`, of this one. */
function claim(name: string, at: string, extra: Partial<WorkspaceClaim> = {}, alive = false): WorkspaceClaim {
  const workspace = path.join(root, name);
  mkdirSync(workspace, { recursive: true });
  const base = ownClaim(workspace, new Date(at));
  const written = { ...base, ...(alive ? {} : { pid: 2 ** 22 + 7, startTicks: '1' }), plan: 'whisper', mode: 'drill', aliveAt: at, ...extra };
  writeClaim(cache, written);
  return written;
}

describe('findInterrupted', () => {
  it('latest: the plan\'s most recent killed drill of that mode, by its last sign of life, whichever its claim file', () => {
    // "new" started first but was alive last: latest goes by the last sign of life.
    claim('old', '2026-12-01T03:00:00.000Z', { startedAt: '2026-12-01T02:00:00.000Z' });
    claim('new', '2026-12-02T03:00:00.000Z', { startedAt: '2026-11-01T00:00:00.000Z' });
    expect(findInterrupted(cache, 'latest', 'whisper', 'drill').workspace).toBe(path.join(root, 'new'));
    // The other way round: the same two claim files, the order of their times swapped.
    claim('old', '2026-12-03T03:00:00.000Z', { startedAt: '2026-10-01T00:00:00.000Z' });
    expect(findInterrupted(cache, 'latest', 'whisper', 'drill').workspace).toBe(path.join(root, 'old'));
    claim('old', '2026-12-01T03:00:00.000Z');
    claim('other-plan', '2026-12-03T03:00:00.000Z', { plan: 'other' });
    claim('a-setup', '2026-12-03T03:00:00.000Z', { mode: 'setup' });
    expect(findInterrupted(cache, 'latest', 'whisper', 'drill').workspace).toBe(path.join(root, 'new'));
    expect(findInterrupted(cache, 'latest', 'whisper', 'setup').workspace).toBe(path.join(root, 'a-setup'));
  });

  it('latest: none killed says so, and names one of the plan and mode that still runs', () => {
    const none = /^no interrupted drill of whisper to resume \(a drill that ended, passed or not, is not resumed: run it again\)$/;
    expect(() => findInterrupted(cache, 'latest', 'whisper', 'drill')).toThrow(none);
    // Running, but another plan's, or a setup: not this drill's to name.
    claim('other-plan', '2026-12-02T03:00:00.000Z', { plan: 'other' }, true);
    claim('a-setup', '2026-12-02T03:00:00.000Z', { mode: 'setup' }, true);
    expect(() => findInterrupted(cache, 'latest', 'whisper', 'drill')).toThrow(none);
    claim('running', '2026-12-02T03:00:00.000Z', {}, true);
    expect(() => findInterrupted(cache, 'latest', 'whisper', 'drill')).toThrow(new RegExp(`^no interrupted drill of whisper to resume; one is running: pid ${process.pid} `));
  });

  it('DIR: that workspace\'s drill, refused when it still runs, is another plan\'s or mode\'s, or left nothing', () => {
    claim('here', '2026-12-02T03:00:00.000Z');
    expect(findInterrupted(cache, path.join(root, 'here'), 'whisper', 'drill').workspace).toBe(path.join(root, 'here'));
    expect(() => findInterrupted(cache, path.join(root, 'here'), 'other', 'drill')).toThrow(/was restored by a drill of plan whisper, not other/);
    expect(() => findInterrupted(cache, path.join(root, 'here'), 'whisper', 'setup')).toThrow(/was restored by `drill`, not `setup`/);
    expect(() => findInterrupted(cache, path.join(root, 'nowhere'), 'whisper', 'drill')).toThrow(/nowhere: no interrupted drill restored into it/);
    // Each refusal says what to do.
    const hintOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as { hint?: string }).hint;
      }
      return undefined;
    };
    expect(hintOf(() => findInterrupted(cache, path.join(root, 'here'), 'other', 'drill'))).toBe('resume it with that plan (--plan)');
    expect(hintOf(() => findInterrupted(cache, path.join(root, 'here'), 'whisper', 'setup'))).toBe('resume it with whisper-drill drill --resume');
    // A claim written before plan and mode were recorded is resumed as it is.
    const bare = claim('bare', '2026-12-02T03:00:00.000Z');
    writeClaim(cache, { ...bare, plan: undefined, mode: undefined } as unknown as WorkspaceClaim);
    expect(findInterrupted(cache, bare.workspace, 'whisper', 'setup').workspace).toBe(bare.workspace);
    claim('busy', '2026-12-02T03:00:00.000Z', {}, true);
    expect(() => findInterrupted(cache, path.join(root, 'busy'), 'whisper', 'drill')).toThrow(/is in use by a drill that is still running: pid \d+/);
    expect(hintOf(() => findInterrupted(cache, path.join(root, 'busy'), 'whisper', 'drill'))).toBe('wait for it to end; only a drill that was killed is resumed');
    const gone = claim('gone', '2026-12-02T03:00:00.000Z');
    rmSync(gone.workspace, { recursive: true });
    expect(() => findInterrupted(cache, gone.workspace, 'whisper', 'drill')).toThrow(/the interrupted drill's workspace is gone/);
  });
});

describe('earlierRunOf', () => {
  it('spans from the start to the last sign of life; its recovery from its fetch on', () => {
    const run = earlierRunOf({ ...ownClaim('/w', new Date('2026-12-01T03:00:00Z')), aliveAt: '2026-12-01T03:01:30.000Z', recoveryFrom: '2026-12-01T03:00:20.000Z', steps: [{ id: 'fetch', status: 'running' }] });
    expect(run).toMatchObject({ startedAt: '2026-12-01T03:00:00.000Z', endedAt: '2026-12-01T03:01:30.000Z', ms: 90_000, recoveryMs: 70_000, steps: [{ id: 'fetch', status: 'running' }] });
    // Killed before its first sign of life: a span of nothing, no recovery.
    expect(earlierRunOf(ownClaim('/w', new Date('2026-12-01T03:00:00Z')))).toMatchObject({ ms: 0 });
    expect(earlierRunOf(ownClaim('/w', new Date('2026-12-01T03:00:00Z'))).recoveryMs).toBeUndefined();
  });
});

describe('leftByKilledDrills', () => {
  it('names each workspace a killed drill of the plan left on disk, and how to go on with it', () => {
    claim('left', '2026-12-02T03:00:00.000Z', { tag: { name: 'v1.3', commit: 'c0ffee' } });
    claim('mine', '2026-12-02T03:00:00.000Z');
    claim('running', '2026-12-02T03:00:00.000Z', {}, true);
    claim('other-plan', '2026-12-02T03:00:00.000Z', { plan: 'other' });
    const removed = claim('removed', '2026-12-02T03:00:00.000Z');
    rmSync(removed.workspace, { recursive: true });
    expect(leftByKilledDrills(cache, 'whisper', path.join(root, 'mine'))).toEqual([
      `a drill of whisper killed after 2026-12-02T03:00:00.000Z left its workspace ${path.join(root, 'left')} (v1.3): go on with it (whisper-drill drill --resume ${path.join(root, 'left')}) or remove it`,
    ]);
    // A setup's; and a claim without its mode, tag or last sign of life (killed at once): said from what it has.
    rmSync(path.join(root, 'left'), { recursive: true });
    const setup = claim('setup-left', '2026-12-04T03:00:00.000Z', { mode: 'setup' });
    expect(leftByKilledDrills(cache, 'whisper', path.join(root, 'mine'))).toEqual([`a setup of whisper killed after 2026-12-04T03:00:00.000Z left its workspace ${setup.workspace}: go on with it (whisper-drill setup --resume ${setup.workspace}) or remove it`]);
    writeClaim(cache, { ...setup, mode: undefined, aliveAt: undefined } as unknown as WorkspaceClaim);
    expect(leftByKilledDrills(cache, 'whisper', path.join(root, 'mine'))).toEqual([`a drill of whisper killed after ${setup.startedAt} left its workspace ${setup.workspace}: go on with it (whisper-drill drill --resume ${setup.workspace}) or remove it`]);
  });
});

describe('forgetGoneClaims', () => {
  it('drops the claims of killed drills whose workspace was removed, and keeps the others', () => {
    const gone = claim('gone', '2026-12-02T03:00:00.000Z');
    rmSync(gone.workspace, { recursive: true });
    const running = claim('running-gone', '2026-12-02T03:00:00.000Z', {}, true);
    rmSync(running.workspace, { recursive: true });
    claim('still-there', '2026-12-02T03:00:00.000Z');
    forgetGoneClaims(cache);
    expect(allClaims(cache).map((c) => path.basename(c.workspace)).sort()).toEqual(['running-gone', 'still-there']);
  });
});


describe('endWhatKilledDrillsLeft', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  /** A process left running by a killed drill: its service's, carrying the run id in its environment. */
  async function leftService(): Promise<{ pgid: number; runId: string }> {
    const runId = newRunId();
    const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, [RUN_ID_VAR]: runId } });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    return { pgid: child.pid!, runId };
  }

  it("ends what a killed drill of the plan and a killed drill whose workspace is gone left running; names a killed setup's service, never ends it", async () => {
    const drill = claim('left-drill', '2026-12-02T03:00:00.000Z', { service: await leftService() });
    const setup = claim('left-setup', '2026-12-02T03:00:00.000Z', { mode: 'setup', service: await leftService() });
    const removed = claim('removed', '2026-12-02T03:00:00.000Z', { mode: 'setup', plan: 'other', service: await leftService() });
    rmSync(removed.workspace, { recursive: true });
    const mine = claim('mine', '2026-12-02T03:00:00.000Z', { service: await leftService() });
    const otherPlan = claim('other-plan', '2026-12-02T03:00:00.000Z', { plan: 'other', service: await leftService() });

    const said = await endWhatKilledDrillsLeft(cache, 'whisper', mine.workspace, 2_000);
    expect(said.sort()).toEqual([
      expect.stringMatching(new RegExp(`^a drill of whisper killed after 2026-12-02T03:00:00\\.000Z in ${drill.workspace} had left processes running: ended 1 process\\(es\\) of its service, still running \\(pid ${drill.service!.pgid}; process group ${drill.service!.pgid} then\\)$`)),
      expect.stringMatching(new RegExp(`^a setup of other killed after .* in ${removed.workspace} \\(since removed\\) had left processes running: ended 1 process`)),
    ]);
    for (const ended of [drill, removed]) expect(markedProcesses(ended.service!.runId)).toEqual([]);
    // Not ended: the setup's (the node's service, maybe), this drill's own workspace's, another plan's.
    for (const kept of [setup, mine, otherPlan]) expect(markedProcesses(kept.service!.runId)).toEqual([kept.service!.pgid]);
    expect(leftByKilledDrills(cache, 'whisper', mine.workspace).find((line) => line.includes(setup.workspace))).toMatch(
      new RegExp(`; its service still runs \\(pid ${setup.service!.pgid}\\): the resume ends it first, or end it with kill -TERM -- -${setup.service!.pgid}$`),
    );
    // Nothing left running: nothing said. A claim of an older format (no mode, no last sign of life) is a drill's,
    // said from its start; both its service and another process it started are ended, each said.
    expect(await endWhatKilledDrillsLeft(cache, 'whisper', mine.workspace, 2_000)).toEqual([]);
    const service = await leftService();
    const other = await leftService();
    const old = claim('old-format', '2026-12-03T03:00:00.000Z', { service, runId: other.runId });
    writeClaim(cache, { ...old, mode: undefined, aliveAt: undefined } as unknown as WorkspaceClaim);
    expect(await endWhatKilledDrillsLeft(cache, 'whisper', mine.workspace, 2_000)).toEqual([
      `a drill of whisper killed after ${old.startedAt} in ${old.workspace} had left processes running: ended 1 process(es) of its service, still running (pid ${service.pgid}; process group ${service.pgid} then); ended 1 other process(es) it had started, still running (pid ${other.pgid})`,
    ]);
    // A killed setup's service of two processes is named with both.
    const second = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, [RUN_ID_VAR]: setup.service!.runId } });
    children.push(second);
    await new Promise((resolve) => second.once('spawn', resolve));
    expect(leftByKilledDrills(cache, 'whisper', mine.workspace).find((line) => line.includes(setup.workspace))).toMatch(
      new RegExp(`its service still runs \\(pid (${setup.service!.pgid}, ${second.pid}|${second.pid}, ${setup.service!.pgid})\\)`),
    );
    // Once nothing of it runs, the claim of the removed workspace is forgotten.
    forgetGoneClaims(cache);
    expect(allClaims(cache).some((c) => c.workspace === removed.workspace)).toBe(false);
  });
});
