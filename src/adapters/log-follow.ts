/** A log file read as it grows (like `tail -f`), handing over complete lines; and its last lines, once. */
import { appendFile, open, stat, truncate } from 'node:fs/promises';

export interface LogFollower {
  /** Read what is left, then stop. */
  readonly close: () => Promise<void>;
}

export interface FollowOptions {
  /** At most this many lines handed over per read (every 100 ms); the rest is skipped and said in one line. */
  readonly linesPerRead?: number;
}

const INTERVAL_MS = 100;
const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;

export function followLog(file: string, onLine: (line: string) => void, options: FollowOptions = {}): LogFollower {
  let offset = 0;
  let pending = '';
  let closed = false;
  let reading: Promise<void> = Promise.resolve();
  const linesPerRead = options.linesPerRead ?? Infinity;

  const readNew = async (): Promise<void> => {
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      // Cut under its cap since the last read (capLog): go on from its new end.
      if (size < offset) {
        offset = size;
        pending = '';
      }
      let handed = 0;
      const buffer = Buffer.alloc(64 * 1024);
      while (offset < size) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        pending += buffer.subarray(0, bytesRead).toString('utf8');
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        let cut = false;
        for (const line of lines) {
          if (!line) continue;
          if (handed >= linesPerRead) {
            cut = true;
            break;
          }
          onLine(line);
          handed += 1;
        }
        if (cut || (handed >= linesPerRead && offset < size)) {
          // More than a reader can take: the rest of this read is skipped (it stays in the file).
          onLine(`… ${mib(size - offset)} of log not shown live (it is in ${file})`);
          offset = size;
          pending = '';
          break;
        }
      }
    } finally {
      await handle.close();
    }
  };

  const timer = setInterval(() => {
    reading = reading.then(readNew);
  }, INTERVAL_MS);
  timer.unref();

  return {
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      reading = reading.then(readNew);
      await reading;
      if (pending) onLine(pending);
      pending = '';
    },
  };
}

export interface LogCap {
  /** Bytes dropped so far (0: the log never passed its cap). */
  readonly droppedBytes: () => number;
  readonly stop: () => Promise<void>;
}

/**
 * Keeps a log a process appends to under `maxBytes`: past it, everything after its first `keepHeadBytes` is
 * dropped and a line in the file says so; the writer (O_APPEND) goes on after that line. A service writing
 * 50 MB a second must not fill the disk the report is on.
 */
export function capLog(file: string, maxBytes: number, keepHeadBytes = MIB): LogCap {
  let dropped = 0;
  let checking: Promise<void> = Promise.resolve();
  const cap = Math.floor(maxBytes);
  // The head kept is at most half the cap: the note and what follows it fit under the cap again.
  const cut = Math.min(keepHeadBytes, Math.floor(cap / 2));
  const check = async (): Promise<void> => {
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    if (size <= cap) return;
    await truncate(file, cut);
    dropped += size - cut;
    await appendFile(file, `\n[whisper-drill: this log passed its cap of ${mib(maxBytes)} (service.logMaxMiB): ${mib(dropped)} dropped so far after its first ${mib(cut)}; what follows is its latest output]\n`);
  };
  const timer = setInterval(() => {
    checking = checking.then(check, () => undefined);
  }, INTERVAL_MS);
  timer.unref();
  return {
    droppedBytes: () => dropped,
    stop: async () => {
      clearInterval(timer);
      // Once more, with the writer gone: what it wrote last is under the cap too.
      checking = checking.then(check, () => undefined);
      await checking.catch(() => undefined);
    },
  };
}

/** The last `lines` lines of a log (read from its last 64 KiB), without escape codes; none when it cannot be read. */
export async function logTail(file: string, lines: number): Promise<string[]> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    // eslint-disable-next-line no-control-regex
    return buffer.toString('utf8').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n/).filter((line) => line.trim() !== '').slice(-lines);
  } finally {
    await handle.close();
  }
}
