/**
 * The memory a download lands in: a few blocks taken in turn. The socket is handed the free part
 * of the current block to read into (no copy, no buffer per chunk); a full block is written at its
 * own offset and hashed while the next fills. Bytes that arrive while the next block is still being
 * written or hashed wait in buffers of their own (spills) and the socket is asked to pause: a TLS
 * socket still delivers what it has already decrypted after it is paused, so there is always a
 * place to put it.
 *
 * Measured on 512 MiB over HTTPS on loopback (docs/benchmarks.md): a Readable stream's 32,768 chunks
 * of 16 KiB, each a new buffer copied into the blocks, cost 1.3 s of CPU; read straight into the
 * blocks, 0.7 s, and that includes the SHA-256.
 */
import type { Sha256 } from './sha256.js';

export interface RingSink {
  /** Writes the first `length` bytes of `block` at `at`; called one at a time, in order. */
  write(block: Buffer, length: number, at: number): Promise<void>;
  readonly hash: Sha256;
}

/** The reads that land outside the blocks. */
const SPILL_BYTES = 64 * 1024;

export class BlockRing {
  /** Bytes taken so far: they are (or are being) written at offsets 0 … received - 1. */
  received = 0;
  writeError: NodeJS.ErrnoException | undefined;
  hashError: Error | undefined;
  private current = 0;
  private filled = 0;
  private offset = 0;
  private readonly busy: Array<Promise<void> | undefined>;
  private writing: Promise<void> = Promise.resolve();
  private spills: Buffer[] = [];
  private waking: Promise<void> | undefined;

  constructor(
    private readonly blocks: readonly Buffer[],
    private readonly sink: RingSink,
    private readonly onBytes?: (delta: number) => void,
  ) {
    this.busy = blocks.map(() => undefined);
  }

  /** The write or the hash failed: nothing more should be read. */
  get failed(): boolean {
    return this.writeError !== undefined || this.hashError !== undefined;
  }

  /** Bytes wait outside the blocks: the reader should pause until `room()` settles. */
  get backlogged(): boolean {
    return this.spills.length > 0;
  }

  /** Memory for the next read: the current block's free part, or a spill when that block is busy. */
  view(): Buffer {
    if (this.busy[this.current] || this.spills.length > 0) return Buffer.allocUnsafe(SPILL_BYTES);
    return this.blocks[this.current]!.subarray(this.filled);
  }

  /** `length` bytes were read into `view` (the last one handed out). */
  landed(view: Buffer, length: number): void {
    if (length <= 0) return;
    this.received += length;
    this.onBytes?.(length);
    const block = this.blocks[this.current]!;
    if (view.buffer === block.buffer && view.byteOffset === block.byteOffset + this.filled && !this.busy[this.current]) {
      this.filled += length;
      if (this.filled === block.length) this.flush();
    } else {
      this.spills.push(view.subarray(0, length));
      this.drainSpills();
    }
  }

  /** Bytes in memory of someone else's (a Readable stream's chunk): copied into the blocks, or into a spill. */
  put(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.received += bytes.length;
    this.onBytes?.(bytes.length);
    const taken = this.spills.length === 0 ? this.fill(bytes) : 0;
    if (taken < bytes.length) this.spills.push(Buffer.from(bytes.subarray(taken)));
  }

  /** Settles when no bytes wait outside the blocks. */
  room(): Promise<void> {
    if (this.spills.length === 0) return Promise.resolve();
    const busy = this.busy[this.current];
    if (!busy) {
      this.drainSpills();
      return this.room();
    }
    return (this.waking ??= busy.then(() => {
      this.waking = undefined;
      return this.room();
    }));
  }

  /** Writes what is left in the current block and waits for every write and hash. */
  async settle(): Promise<void> {
    while (this.spills.length > 0) await this.room();
    this.flush();
    await Promise.all(this.busy);
    this.busy.fill(undefined);
  }

  /** Goes on after the first `bytes` of the file, already there and hashed (a resumed download); before any read. */
  skip(bytes: number): void {
    this.received = bytes;
    this.offset = bytes;
    this.onBytes?.(bytes);
  }

  /** Starts over at offset 0 (after settle(): the server sent the whole object again). */
  restart(): void {
    this.onBytes?.(-this.received);
    this.received = 0;
    this.offset = 0;
    this.sink.hash.reset();
  }

  /** Copies as much of `bytes` as the free blocks take, flushing each that fills; returns how much. */
  private fill(bytes: Buffer): number {
    let at = 0;
    while (at < bytes.length && !this.busy[this.current]) {
      const block = this.blocks[this.current]!;
      const copied = bytes.copy(block, this.filled, at);
      this.filled += copied;
      at += copied;
      if (this.filled === block.length) this.flush();
    }
    return at;
  }

  /** Copies spills into free blocks, in order, as far as they go. */
  private drainSpills(): void {
    while (this.spills.length > 0 && !this.busy[this.current]) {
      const spill = this.spills[0]!;
      const taken = this.fill(spill);
      if (taken === spill.length) this.spills.shift();
      else this.spills[0] = spill.subarray(taken);
    }
  }

  private flush(): void {
    if (this.filled === 0) return;
    const index = this.current;
    const block = this.blocks[index]!;
    const [length, at] = [this.filled, this.offset];
    // One write at a time, in order: concurrent writers of one file only queue on its inode lock.
    const written = (this.writing = this.writing.then(() =>
      this.failed ? undefined : this.sink.write(block, length, at).catch((error: NodeJS.ErrnoException) => void (this.writeError ??= error)),
    ));
    const hashed = this.sink.hash.update(block, length).catch((error: Error) => void (this.hashError ??= error));
    this.busy[index] = Promise.all([written, hashed]).then(() => {
      this.busy[index] = undefined;
    });
    this.offset += length;
    this.filled = 0;
    this.current = (this.current + 1) % this.blocks.length;
  }
}
