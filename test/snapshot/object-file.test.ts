/**
 * The file a download is written to: direct I/O for the aligned part of a large object (seen in the
 * descriptor's flags in /proc), ordinary writes for the rest, and the same bytes either way.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_FROM_BYTES, openObjectFile } from '../../src/snapshot/lfs/object-file.js';
import { allocateBlocks } from '../../src/snapshot/lfs/sha256.js';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-object-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The open flags of each descriptor this process holds on `file` (from /proc/self/fdinfo). */
async function flagsOf(file: string): Promise<number[]> {
  const flags: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) !== file) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    const octal = /^flags:\s+([0-7]+)$/m.exec(info)?.[1];
    if (octal) flags.push(parseInt(octal, 8));
  }
  return flags;
}

const BLOCK = 1024 * 1024;

/** Writes `data` through `blocks` in turn, as the download does, starting at `from`. */
async function writeThrough(file: Awaited<ReturnType<typeof openObjectFile>>, blocks: Buffer[], data: Buffer, from = 0): Promise<void> {
  for (let at = from, n = 0; at < data.length; n += 1) {
    const block = blocks[n % blocks.length]!;
    const length = data.copy(block, 0, at, Math.min(at + block.length, data.length));
    await file.write(block, length, at);
    at += length;
  }
}

describe('the file a download is written to', () => {
  const size = DIRECT_FROM_BYTES + 3 * BLOCK + 4321;
  const data = randomBytes(size);

  it('writes a large object with direct I/O, its unaligned tail through the page cache, and holds every byte', async () => {
    const target = path.join(tmp, 'large.part');
    const file = await openObjectFile(target, size);
    try {
      expect(file.direct).toBe(true);
      expect((await flagsOf(target)).filter((flags) => flags & constants.O_DIRECT)).toHaveLength(1);
      await writeThrough(file, allocateBlocks(3, BLOCK), data);
      expect(file.direct).toBe(true);
    } finally {
      await file.close();
    }
    expect(await flagsOf(target)).toEqual([]);
    expect((await readFile(target)).equals(data)).toBe(true);
  });

  it('resumes at an odd offset and still lands the same bytes', async () => {
    const target = path.join(tmp, 'resumed.part');
    const file = await openObjectFile(target, size);
    const blocks = allocateBlocks(3, BLOCK);
    try {
      await writeThrough(file, blocks, data.subarray(0, 5 * BLOCK + 333));
      await writeThrough(file, blocks, data, 5 * BLOCK + 333);
    } finally {
      await file.close();
    }
    expect((await readFile(target)).equals(data)).toBe(true);
  });

  it('goes on without direct I/O when the kernel refuses it (memory not on a page boundary)', async () => {
    const target = path.join(tmp, 'unaligned.part');
    const file = await openObjectFile(target, size);
    try {
      // Node's own buffers come from malloc, mostly 16 bytes past a page: a direct write of them is EINVAL.
      // Now and then malloc hands out memory on a page boundary, which the kernel takes: then the same
      // bytes are written again from another buffer (a handful of tries reach an unaligned one).
      for (let tries = 0; tries < 16 && file.direct; tries += 1) await writeThrough(file, [Buffer.allocUnsafeSlow(BLOCK)], data);
      expect(file.direct).toBe(false);
    } finally {
      await file.close();
    }
    expect((await readFile(target)).equals(data)).toBe(true);
  });

  it('writes a small object through the page cache, and truncates for a fresh start', async () => {
    const target = path.join(tmp, 'small.part');
    const small = data.subarray(0, 100_000);
    const file = await openObjectFile(target, small.length);
    try {
      expect(file.direct).toBe(false);
      expect((await flagsOf(target)).some((flags) => flags & constants.O_DIRECT)).toBe(false);
      await writeThrough(file, allocateBlocks(2, 64 * 1024), small);
      await file.truncate();
      await writeThrough(file, allocateBlocks(2, 64 * 1024), small.subarray(0, 1000));
    } finally {
      await file.close();
    }
    expect((await readFile(target)).equals(small.subarray(0, 1000))).toBe(true);
  });
});
