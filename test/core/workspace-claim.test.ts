/** One drill per workspace: the claim is taken by exactly one of two, and a dead holder's claim only by its taker. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireClaim, claimFile, dropDeadClaim, holderAlive, ownClaim, readClaim, writeClaim } from '../../src/core/workspace-claim.js';
import { statSync } from 'node:fs';

let cache: string;
beforeEach(() => {
  cache = mkdtempSync(path.join(os.tmpdir(), 'claims-'));
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

describe('acquireClaim', () => {
  it('gives the workspace to the first of two drills and names it to the second', () => {
    const first = ownClaim('/srv/restore', new Date('2026-12-01T03:00:00Z'));
    const second = { ...ownClaim('/srv/restore', new Date('2026-12-01T03:00:01Z')), pid: 999_999 };
    expect(acquireClaim(cache, first)).toBeUndefined();
    const holder = acquireClaim(cache, second);
    expect(holder?.startedAt).toBe('2026-12-01T03:00:00.000Z');
    expect(holder && holderAlive(holder)).toBe(true);
  });

  it('drops a dead holder\'s claim only while it is still that holder\'s', () => {
    const dead = { ...ownClaim('/srv/restore', new Date('2026-12-01T03:00:00Z')), pid: 2 ** 22 + 1, startTicks: '1' };
    expect(acquireClaim(cache, dead)).toBeUndefined();
    expect(holderAlive(dead)).toBe(false);
    const taker = ownClaim('/srv/restore', new Date('2026-12-01T04:00:00Z'));
    dropDeadClaim(cache, dead);
    expect(acquireClaim(cache, taker)).toBeUndefined();
    // A second drill that also saw the dead holder, late: its drop removes nothing, the taker keeps it.
    dropDeadClaim(cache, dead);
    expect(readClaim(cache, '/srv/restore')?.startedAt).toBe('2026-12-01T04:00:00.000Z');
  });
});

describe('a claim on disk', () => {
  it('is the operator\'s alone: the file 0600, its folder 0700, however it was written', () => {
    const claim = ownClaim('/srv/restore', new Date('2026-12-01T03:00:00Z'));
    expect(acquireClaim(cache, claim)).toBeUndefined();
    expect(statSync(claimFile(cache, '/srv/restore')).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(claimFile(cache, '/srv/restore'))).mode & 0o777).toBe(0o700);
    writeClaim(cache, { ...claim, aliveAt: '2026-12-01T03:00:05.000Z' }, false);
    expect(statSync(claimFile(cache, '/srv/restore')).mode & 0o777).toBe(0o600);
    expect(readClaim(cache, '/srv/restore')?.aliveAt).toBe('2026-12-01T03:00:05.000Z');
  });
});

describe('a claim of another host', () => {
  it('is taken for running (a shared cache): never taken over, never resumed from here', () => {
    const elsewhere = { ...ownClaim('/srv/restore', new Date('2026-12-01T03:00:00Z')), host: 'gpu-node-99', pid: 2 ** 22 + 3, startTicks: '1' };
    expect(holderAlive(elsewhere)).toBe(true);
    expect(holderAlive({ ...elsewhere, host: os.hostname() })).toBe(false);
  });
});

