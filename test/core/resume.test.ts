/** --resume finds the drill that was killed: the plan's latest, or the one in DIR; never one still running. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findInterrupted, leftByKilledDrills } from '../../src/core/resume.js';
import { earlierRunOf, ownClaim, writeClaim, type WorkspaceClaim } from '../../src/core/workspace-claim.js';

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
  it('latest: the plan\'s most recent killed drill of that mode', () => {
    claim('old', '2026-12-01T03:00:00.000Z');
    claim('new', '2026-12-02T03:00:00.000Z');
    claim('other-plan', '2026-12-03T03:00:00.000Z', { plan: 'other' });
    claim('a-setup', '2026-12-03T03:00:00.000Z', { mode: 'setup' });
    expect(findInterrupted(cache, 'latest', 'whisper', 'drill').workspace).toBe(path.join(root, 'new'));
    expect(findInterrupted(cache, 'latest', 'whisper', 'setup').workspace).toBe(path.join(root, 'a-setup'));
  });

  it('latest: none killed says so, and names one that still runs', () => {
    expect(() => findInterrupted(cache, 'latest', 'whisper', 'drill')).toThrow(/^no interrupted drill of whisper to resume \(a drill that ended, passed or not, is not resumed: run it again\)$/);
    claim('running', '2026-12-02T03:00:00.000Z', {}, true);
    expect(() => findInterrupted(cache, 'latest', 'whisper', 'drill')).toThrow(new RegExp(`^no interrupted drill of whisper to resume; one is running: pid ${process.pid} `));
  });

  it('DIR: that workspace\'s drill, refused when it still runs, is another plan\'s or mode\'s, or left nothing', () => {
    claim('here', '2026-12-02T03:00:00.000Z');
    expect(findInterrupted(cache, path.join(root, 'here'), 'whisper', 'drill').workspace).toBe(path.join(root, 'here'));
    expect(() => findInterrupted(cache, path.join(root, 'here'), 'other', 'drill')).toThrow(/was restored by a drill of plan whisper, not other/);
    expect(() => findInterrupted(cache, path.join(root, 'here'), 'whisper', 'setup')).toThrow(/was restored by `drill`, not `setup`/);
    expect(() => findInterrupted(cache, path.join(root, 'nowhere'), 'whisper', 'drill')).toThrow(/nowhere: no interrupted drill restored into it/);
    claim('busy', '2026-12-02T03:00:00.000Z', {}, true);
    expect(() => findInterrupted(cache, path.join(root, 'busy'), 'whisper', 'drill')).toThrow(/is in use by a drill that is still running: pid \d+/);
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
  });
});

