/** Follow a growing log file (like `tail -f`) and hand over complete lines. */
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
