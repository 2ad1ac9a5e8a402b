import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSha256 } from '../../src/adapters/file-sha256.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-file-sha256-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const openDescriptors = async () => (await readdir('/proc/self/fd')).length;

describe('fileSha256', () => {
  // Small blocks, so that the two buffers take turns many times: a file of 0 bytes, less than a block,
  // exactly one, one and a byte, and several with a short last one.
  it.each([0, 1, 16, 17, 16 * 7 + 5])('hashes %i bytes as crypto does, counting every byte once', async (length) => {
    const bytes = randomBytes(length);
    const file = path.join(tmp, `f-${length}`);
    await writeFile(file, bytes);
    const deltas: number[] = [];
    const before = await openDescriptors();
    const result = await fileSha256(file, { blockBytes: 16, onBytes: (delta) => deltas.push(delta) });
    expect(result).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size: length });
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(length);
    expect(deltas.every((delta) => delta > 0 && delta <= 16)).toBe(true);
    expect(await openDescriptors()).toBe(before);
  });

  it('stops at the signal, before opening the file or between blocks, and leaves no descriptor open', async () => {
    const file = path.join(tmp, 'stopped');
    await writeFile(file, randomBytes(4096));
    const before = await openDescriptors();
    const already = new AbortController();
    already.abort(new Error('told to stop'));
    await expect(fileSha256(file, { signal: already.signal })).rejects.toThrow('told to stop');
    const midway = new AbortController();
    let read = 0;
    await expect(fileSha256(file, { blockBytes: 64, signal: midway.signal, onBytes: (delta) => (read += delta) === 128 && midway.abort(new Error('stopped midway')) })).rejects.toThrow('stopped midway');
    expect(read).toBe(128);
    expect(await openDescriptors()).toBe(before);
  });

  it('names the file it cannot open', async () => {
    await expect(fileSha256(path.join(tmp, 'nothing-here'))).rejects.toThrow(/ENOENT.*nothing-here/);
  });
});
