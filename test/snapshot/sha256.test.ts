import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allocateBlocks, openSha256, THREAD_FROM_BYTES } from '../../src/snapshot/lfs/sha256.js';

/** Feeds `data` through three rotating blocks, as the download does, and returns the digest. */
async function viaBlocks(data: Buffer, size: number, resetAfter?: number): Promise<string> {
  const blocks = allocateBlocks(3, 64 * 1024);
  const hash = openSha256(size, blocks);
  try {
    const pending: Array<Promise<void>> = [];
    for (let at = 0, n = 0; at < data.length; n += 1) {
      const block = blocks[n % blocks.length]!;
      await pending[n - blocks.length];
      const length = data.copy(block, 0, at, Math.min(at + block.length - 1000, data.length));
      pending.push(hash.update(block, length));
      at += length;
      if (resetAfter !== undefined && at >= resetAfter) {
        await Promise.all(pending);
        hash.reset();
        resetAfter = undefined;
      }
    }
    await Promise.all(pending);
    return await hash.digest();
  } finally {
    await hash.close();
  }
}

describe('the download\'s SHA-256', () => {
  const data = randomBytes(1024 * 1024 + 123);
  const expected = createHash('sha256').update(data).digest('hex');

  it('is the SHA-256 of the bytes, inline for a small object and on a thread of its own for a large one', async () => {
    expect(await viaBlocks(data, 1000)).toBe(expected);
    expect(await viaBlocks(data, THREAD_FROM_BYTES)).toBe(expected);
  });

  it('starts over on reset (the server sent the whole object again)', async () => {
    const twice = Buffer.concat([data.subarray(0, 300_000), data]);
    // The reset comes after the block that reaches 300,000 bytes (five blocks of 64,536): what follows is hashed alone.
    const after = createHash('sha256').update(twice.subarray(5 * 64_536)).digest('hex');
    expect(await viaBlocks(twice, THREAD_FROM_BYTES, 300_000)).toBe(after);
    expect(await viaBlocks(twice, 1000, 300_000)).toBe(after);
  });

  it('gives blocks of one shared memory, each starting on a page boundary', () => {
    const blocks = allocateBlocks(3, 2 * 1024 * 1024);
    expect(blocks.map((block) => [block.length, block.byteOffset % 4096])).toEqual([[2097152, 0], [2097152, 0], [2097152, 0]]);
    expect(new Set(blocks.map((block) => block.buffer)).size).toBe(1);
    expect(blocks[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('refuses blocks a thread cannot share', () => {
    expect(() => openSha256(THREAD_FROM_BYTES, [Buffer.alloc(16)])).toThrow(/shared blocks/);
  });
});
