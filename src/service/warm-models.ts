/**
 * The restored model files read once in the background, while the install runs: the transfer writes
 * them past the page cache (O_DIRECT, to keep the drill's memory small), and a service that loads
 * its model at start would otherwise read every byte from the disk. By hand, git-lfs writes through
 * the page cache, so the service's first load finds the file there; reading it back restores that
 * (a 1 GiB model: the service's start 4.3 s → measured in docs/benchmarks.md, "The whole recovery").
 */
import { createReadStream } from 'node:fs';

export async function warmPageCache(files: readonly string[], signal: AbortSignal): Promise<void> {
  for (const file of files) {
    if (signal.aborted) return;
    const stream = createReadStream(file, { highWaterMark: 4 * 1024 * 1024 });
    const stop = () => stream.destroy();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const chunk of stream) void chunk;
    } catch {
      // A file that cannot be read is for the service to fail on, not the warm-up.
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}
