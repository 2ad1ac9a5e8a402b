/**
 * The ring a download lands in: reads straight into free blocks, spills while the next block is
 * still being written, and every byte reaches the file once, in order, and the hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockRing } from '../../src/snapshot/lfs/block-ring.js';
import { allocateBlocks, openSha256 } from '../../src/snapshot/lfs/sha256.js';

const BLOCK = 64 * 1024;

/** A file in memory whose writes finish when the test says. */
function heldFile(size: number) {
  const bytes = Buffer.alloc(size);
  const held: Array<() => void> = [];
  let holding = false;
  return {
    bytes,
    writes: 0,
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const go of held.splice(0)) go();
    },
    write(block: Buffer, length: number, at: number): Promise<void> {
      this.writes += 1;
      const copy = Buffer.from(block.subarray(0, length));
      const land = () => void copy.copy(bytes, at);
      if (!holding) return Promise.resolve(land());
      return new Promise((resolve) => held.push(() => resolve(land())));
    },
  };
}

/** What a socket does: asks for memory, reads up to `chunk` bytes into it. */
function read(ring: BlockRing, data: Buffer, at: number, chunk: number): number {
  const view = ring.view();
  const length = data.copy(view, 0, at, Math.min(at + chunk, data.length));
  ring.landed(view, length);
  return length;
}

describe('the block ring', () => {
  const data = randomBytes(7 * BLOCK + 999);
  const expected = createHash('sha256').update(data).digest('hex');

  it('reads into the blocks themselves, writes each once, in order, and hashes every byte', async () => {
    const file = heldFile(data.length);
    const blocks = allocateBlocks(3, BLOCK);
    const hash = openSha256(data.length, blocks);
    let progress = 0;
    const ring = new BlockRing(blocks, { write: (b, l, a) => file.write(b, l, a), hash }, (delta) => (progress += delta));
    const first = ring.view();
    expect(first.buffer).toBe(blocks[0]!.buffer);
    expect(first.byteOffset).toBe(blocks[0]!.byteOffset);
    for (let at = 0; at < data.length; ) {
      at += read(ring, data, at, 16 * 1024);
      if (ring.backlogged) await ring.room();
    }
    await ring.settle();
    expect(file.bytes.equals(data)).toBe(true);
    expect(file.writes).toBe(8);
    expect(await hash.digest()).toBe(expected);
    expect([ring.received, progress]).toEqual([data.length, data.length]);
  });

  it('spills while the next block is still being written, asks for a pause, and loses nothing', async () => {
    const file = heldFile(data.length);
    const blocks = allocateBlocks(2, BLOCK);
    const hash = openSha256(data.length, blocks);
    const ring = new BlockRing(blocks, { write: (b, l, a) => file.write(b, l, a), hash });
    file.hold();
    let at = 0;
    while (!ring.backlogged) at += read(ring, data, at, 16 * 1024);
    // Both blocks are full and held: the next reads go to spills, as a paused TLS socket's still would.
    expect(at).toBe(2 * BLOCK + 16 * 1024);
    const spill = ring.view();
    expect(spill.buffer).not.toBe(blocks[0]!.buffer);
    at += read(ring, data, at, 16 * 1024);
    let roomy = false;
    const room = ring.room().then(() => (roomy = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(roomy).toBe(false);
    file.release();
    await room;
    expect(ring.backlogged).toBe(false);
    while (at < data.length) {
      at += read(ring, data, at, 5000);
      if (ring.backlogged) await ring.room();
    }
    await ring.settle();
    expect(file.bytes.equals(data)).toBe(true);
    expect(await hash.digest()).toBe(expected);
  });

  it('copies in chunks of someone else\'s memory (node:http\'s), and starts over on restart', async () => {
    const file = heldFile(data.length);
    const blocks = allocateBlocks(3, BLOCK);
    const hash = openSha256(data.length, blocks);
    let progress = 0;
    const ring = new BlockRing(blocks, { write: (b, l, a) => file.write(b, l, a), hash }, (delta) => (progress += delta));
    ring.put(data.subarray(0, 100_000));
    await ring.settle();
    ring.restart();
    expect([ring.received, progress]).toEqual([0, 0]);
    for (let at = 0; at < data.length; at += 40_000) {
      ring.put(data.subarray(at, at + 40_000));
      if (ring.backlogged) await ring.room();
    }
    await ring.settle();
    expect(file.bytes.equals(data)).toBe(true);
    expect(await hash.digest()).toBe(expected);
  });

  it('stops writing after a failed write and says so', async () => {
    const blocks = allocateBlocks(2, BLOCK);
    const hash = openSha256(data.length, blocks);
    let writes = 0;
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const ring = new BlockRing(blocks, { write: () => (writes += 1, Promise.reject(full)), hash });
    for (let at = 0; at < data.length && !ring.failed; ) {
      at += read(ring, data, at, BLOCK);
      if (ring.backlogged) await ring.room();
    }
    await ring.settle();
    expect(ring.writeError?.code).toBe('ENOSPC');
    expect(writes).toBe(1);
  });
});
