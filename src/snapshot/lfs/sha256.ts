/**
 * SHA-256 of a download, fed in the order the blocks are written. A large object is hashed on a
 * thread of its own, so the main thread only receives (and, over HTTPS, decrypts) and copies, while
 * the other core hashes the block before: measured over HTTPS on loopback, the main thread was the
 * limit with both (docs/benchmarks.md). A small one is hashed inline: a thread costs more than it saves.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface Sha256 {
  /** Hash the first `length` bytes of `block`, one of those it was opened with (unchanged until this settles). */
  update(block: Buffer, length: number): Promise<void>;
  /** Start again from nothing (the server sent the whole object again). */
  reset(): void;
  digest(): Promise<string>;
  close(): Promise<void>;
}

/** Objects at least this large get a hashing thread. */
export const THREAD_FROM_BYTES = 32 * 1024 * 1024;

/** Bytes of a WebAssembly page: the unit the blocks' memory grows by. */
const WASM_PAGE = 64 * 1024;

/**
 * `count` blocks of `bytes` each, views of one `SharedArrayBuffer` that a hashing thread can read
 * without a copy. The memory is a WebAssembly.Memory's: V8 maps it whole, so it starts on a page
 * boundary and every block of a multiple of 4 KiB does too, as direct I/O wants (./object-file.ts).
 * Node's own buffers come from malloc and start 16 bytes past a page.
 */
export function allocateBlocks(count: number, bytes: number): Buffer[] {
  const pages = Math.ceil((count * bytes) / WASM_PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return Array.from({ length: count }, (_, index) => Buffer.from(memory.buffer, index * bytes, bytes));
}

function inlineSha256(): Sha256 {
  let hash: Hash = createHash('sha256');
  return {
    update: async (block, length) => void hash.update(block.subarray(0, length)),
    reset: () => void (hash = createHash('sha256')),
    digest: async () => hash.digest('hex'),
    close: async () => undefined,
  };
}

// The thread's whole program (CommonJS, evaluated: nothing to ship beside the bundle).
// The shared blocks are handed over once: a SharedArrayBuffer in every message cost 0.7 ms each.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const blocks = workerData.map(([buffer, offset, length]) => new Uint8Array(buffer, offset, length));
let hash = createHash('sha256');
parentPort.on('message', ({ id, op, block, length }) => {
  if (op === 'update') hash.update(blocks[block].subarray(0, length));
  else if (op === 'reset') hash = createHash('sha256');
  if (op === 'digest') parentPort.postMessage({ id, hex: hash.digest('hex') });
  else parentPort.postMessage({ id });
});
`;

function threadSha256(blocks: readonly Buffer[]): Sha256 {
  for (const block of blocks) {
    if (!(block.buffer instanceof SharedArrayBuffer)) throw new Error('a hashing thread needs shared blocks (allocateBlocks)');
  }
  const worker = new Worker(THREAD, { eval: true, workerData: blocks.map((block) => [block.buffer, block.byteOffset, block.length]) });
  const waiting = new Map<number, { resolve: (hex?: string) => void; reject: (error: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  worker.on('message', ({ id, hex }: { id: number; hex?: string }) => {
    waiting.get(id)?.resolve(hex);
    waiting.delete(id);
  });
  const fail = (error: Error) => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the hashing thread ended')));
  const send = (message: Record<string, unknown>) =>
    new Promise<string | undefined>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  return {
    update: async (block, length) => {
      await send({ op: 'update', block: blocks.indexOf(block), length });
    },
    reset: () => void send({ op: 'reset' }).catch(() => undefined),
    digest: async () => (await send({ op: 'digest' }))!,
    close: async () => {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/** A hash for an object of `size` bytes that arrives through `blocks` (made with allocateBlocks). */
export function openSha256(size: number, blocks: readonly Buffer[]): Sha256 {
  return size >= THREAD_FROM_BYTES ? threadSha256(blocks) : inlineSha256();
}

/** `count` blocks of `bytes` each and the hash they feed (on a thread of its own when the object is large). */
export function openBlockHash(size: number, count: number, bytes: number): { readonly hash: Sha256; readonly blocks: Buffer[] } {
  const blocks = allocateBlocks(count, bytes);
  return { hash: openSha256(size, blocks), blocks };
}
