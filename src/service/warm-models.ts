/**
 * The restored model files read once in the background, from the moment verify has named them (beside the
 * install, or after it when the install ended first): the transfer writes them past the page cache
 * (O_DIRECT, to keep the drill's memory small), and a service that loads its model at start would
 * otherwise read every byte from the disk. By hand, git-lfs writes through the page cache, so the
 * service's first load finds the file there; reading it back restores that. One buffer, reused: a
 * stream's new 4 MiB chunk per read cost the service's start 0.4 s more on 2 cores (a 1 GiB model: the
 * start 4.4 s cold, 3.0 s warmed with a stream, 2.5 s with one buffer; docs/benchmarks.md, "The whole
 * recovery"). The drill's own reads are not the service's: provenance counts only the service's processes.
 */
import { open } from 'node:fs/promises';

const CHUNK = 4 * 1024 * 1024;

/** Reads each file once, in turn, discarding the bytes; stops at `signal`; never fails (a file gone is skipped). Returns the bytes read. */
export async function warmPageCache(files: readonly string[], signal: AbortSignal): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  for (const file of files) {
    if (signal.aborted) break;
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      for (let at = 0; !signal.aborted; ) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, at);
        if (bytesRead === 0) break;
        at += bytesRead;
        total += bytesRead;
      }
    } catch {
      // A file that cannot be read is for the service to fail on, not the warm-up.
    } finally {
      await handle.close();
    }
  }
  return total;
}
