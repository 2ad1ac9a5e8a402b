/**
 * The file a large download is written to, with direct I/O (O_DIRECT): each block goes from the
 * download's own memory to the disk, not through the page cache. Measured here for 512 MiB
 * (docs/benchmarks.md): 0.13 s of system time and 0.38 s with direct I/O, every time; through the page
 * cache 0.29 s or 1.8 s, depending on whether the VM's host had taken the memory back. It also
 * leaves a GPU node's page cache to what it serves, and the restored bytes are on disk, not dirty
 * in memory, when the fetch says done.
 *
 * Direct I/O wants the memory, the offset and the length aligned (./sha256.ts allocateBlocks gives
 * page-aligned blocks). What is not aligned (an object's last bytes, a resumed transfer's odd
 * offset) goes through a second, ordinary descriptor; a filesystem that refuses direct I/O (tmpfs,
 * some network filesystems) gets ordinary writes throughout.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Objects at least this large are written with direct I/O. */
export const DIRECT_FROM_BYTES = 32 * 1024 * 1024;

/** Alignment that satisfies every block device (logical blocks of 512 B or 4 KiB). */
const ALIGN = 4096;

export interface ObjectFile {
  /** Writes the first `length` bytes of `block` at `at`. One at a time: callers wait for the last. */
  write(block: Buffer, length: number, at: number): Promise<void>;
  /** Empties the file (the server sent the whole object again). */
  truncate(): Promise<void>;
  /** Whether the aligned writes are still going direct. */
  readonly direct: boolean;
  close(): Promise<void>;
}

const refused = (error: unknown) => ['EINVAL', 'EOPNOTSUPP', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '');

/** `keep`: the file's bytes stay (a resumed download writes on after them); otherwise it starts empty. */
export async function openObjectFile(file: string, size: number, keep = false): Promise<ObjectFile> {
  let direct: FileHandle | undefined;
  if (size >= DIRECT_FROM_BYTES && constants.O_DIRECT) {
    direct = await open(file, constants.O_WRONLY | constants.O_CREAT | (keep ? 0 : constants.O_TRUNC) | constants.O_DIRECT, 0o644).catch((error: unknown) => {
      if (refused(error)) return undefined;
      throw error;
    });
  }
  const buffered = await (direct ? open(file, constants.O_WRONLY) : open(file, keep ? constants.O_WRONLY | constants.O_CREAT : 'w', 0o644)).catch(async (error: unknown) => {
    await direct?.close();
    throw error;
  });
  const dropDirect = async () => {
    const handle = direct;
    direct = undefined;
    await handle?.close();
  };
  const writeAll = async (handle: FileHandle, block: Buffer, from: number, length: number, at: number) => {
    for (let done = 0; done < length; ) {
      const { bytesWritten } = await handle.write(block, from + done, length - done, at + done);
      done += bytesWritten;
    }
  };
  return {
    get direct() {
      return direct !== undefined;
    },
    async write(block, length, at) {
      const aligned = direct && at % ALIGN === 0 && block.byteOffset % ALIGN === 0 ? length - (length % ALIGN) : 0;
      if (aligned > 0) {
        try {
          await writeAll(direct!, block, 0, aligned, at);
        } catch (error) {
          // The filesystem took the open but not the write (its blocks are larger, say): go on without.
          if (!refused(error)) throw error;
          await dropDirect();
          return writeAll(buffered, block, 0, length, at);
        }
      }
      if (aligned < length) await writeAll(buffered, block, aligned, length - aligned, at + aligned);
    },
    truncate: () => buffered.truncate(0),
    async close() {
      try {
        await dropDirect();
      } finally {
        await buffered.close();
      }
    },
  };
}
