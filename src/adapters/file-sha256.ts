/**
 * The sha256 of a file on disk: one way for every reader (verify, a file:// restore, a resumed drill's
 * kept objects, a snapshot's LFS files, the cold archive).
 *
 * Two blocks, reused: while one is hashed on this thread, the next is read into the other on libuv's
 * pool. A read stream allocates a new buffer per chunk and reads only after the previous chunk was
 * taken, so the read and the hash never overlap: 512 MiB from the page cache took 0.46 s that way and
 * 0.35 s this way; beside a kernel copy of the same file (a file:// restore), 0.51 s against 0.41 s
 * (2 cores, docs/benchmarks.md).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface FileSha256 {
  readonly sha256: string;
  /** Bytes read: the file's size when it was read through. */
  readonly size: number;
}

export interface FileSha256Options {
  /** Bytes read so far, in steps of a block. */
  readonly onBytes?: (delta: number) => void;
  readonly signal?: AbortSignal;
  /** A block's size (4 MiB): large enough that the hop to the pool costs nothing per byte. */
  readonly blockBytes?: number;
}

export async function fileSha256(file: string, options: FileSha256Options = {}): Promise<FileSha256> {
  const { onBytes, signal } = options;
  const blockBytes = options.blockBytes ?? 4 * 1024 * 1024;
  signal?.throwIfAborted();
  const handle = await open(file, 'r');
  const blocks = [Buffer.allocUnsafe(blockBytes), Buffer.allocUnsafe(blockBytes)];
  let reading = handle.read(blocks[0]!, 0, blockBytes, null);
  try {
    const hash = createHash('sha256');
    let size = 0;
    for (let current = 0; ; current ^= 1) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) return { sha256: hash.digest('hex'), size };
      signal?.throwIfAborted();
      // The next block is read into the other buffer while this one is hashed.
      reading = handle.read(blocks[current ^ 1]!, 0, blockBytes, null);
      hash.update(blocks[current]!.subarray(0, bytesRead));
      size += bytesRead;
      onBytes?.(bytesRead);
    }
  } finally {
    // A read still under way (stopped by the signal) ends before its descriptor is closed.
    await reading.catch(() => undefined);
    await handle.close();
  }
}
