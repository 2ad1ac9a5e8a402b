/** A log file read as it grows (like `tail -f`), handing over complete lines; and its last lines, once. */
import { open } from 'node:fs/promises';

export interface LogFollower {
  /** Read what is left, then stop. */
  readonly close: () => Promise<void>;
}

const INTERVAL_MS = 100;

export function followLog(file: string, onLine: (line: string) => void): LogFollower {
  let offset = 0;
  let pending = '';
  let closed = false;
  let reading: Promise<void> = Promise.resolve();

  const readNew = async (): Promise<void> => {
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        pending += buffer.subarray(0, bytesRead).toString('utf8');
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        for (const line of lines) if (line) onLine(line);
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
