/** The restored model read ahead of the service: every byte once, a missing file skipped, stopped when told. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { warmPageCache } from '../../src/service/warm-models.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warm-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('warmPageCache', () => {
  it('reads each file whole, in turn, and skips one that is not there', async () => {
    writeFileSync(path.join(dir, 'a.pt'), Buffer.alloc(9 * 1024 * 1024 + 5));
    writeFileSync(path.join(dir, 'b.pt'), Buffer.alloc(10));
    const read = await warmPageCache([path.join(dir, 'a.pt'), path.join(dir, 'gone.pt'), path.join(dir, 'b.pt')], new AbortController().signal);
    expect(read).toBe(9 * 1024 * 1024 + 15);
  });

  it('reads nothing once stopped', async () => {
    writeFileSync(path.join(dir, 'a.pt'), Buffer.alloc(1024));
    const stop = new AbortController();
    stop.abort();
    expect(await warmPageCache([path.join(dir, 'a.pt')], stop.signal)).toBe(0);
  });
});
