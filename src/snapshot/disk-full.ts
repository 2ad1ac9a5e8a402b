/**
 * A restore that ran out of disk: said as the operator needs it — which filesystem (its mount point),
 * how much was still to be written, how much is free — instead of an ENOSPC from deep inside a copy.
 */
import { readFile, realpath, statfs } from 'node:fs/promises';
import path from 'node:path';
import { DrillError } from '../model/errors.js';
import { formatBytes } from '../model/format.js';

/** An error (or its cause) that is the kernel's "no space left on device", from Node or from git. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth += 1) {
    if (e.code === 'ENOSPC') return true;
    // git's own words count; a server's ("remote: … No space left on device") are about the server's disk.
    if (typeof e.message === 'string' && e.message.split(/\n| \| /).some((line) => /ENOSPC|No space left on device/i.test(line) && !/\bremote:.*(?:ENOSPC|No space left on device)/i.test(line))) return true;
  }
  return false;
}

/** The mount point holding `dir`: the longest mount path of /proc/self/mounts that contains it. */
export async function mountPointOf(dir: string): Promise<string> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const resolved = await realpath(dir).catch(() => path.resolve(dir));
  let best = '/';
  for (const line of mounts.split('\n')) {
    // Spaces in a mount path are written as \040.
    const point = line.split(' ')[1]?.replace(/\\040/g, ' ');
    if (point && (resolved === point || resolved.startsWith(point.endsWith('/') ? point : `${point}/`)) && point.length > best.length) best = point;
  }
  return best;
}

/** `needed`: the backup's LFS bytes (the workspace holds them once more in .git/lfs when git-lfs fetches). */
export async function diskFullError(dir: string, needed: number, cause: unknown): Promise<DrillError> {
  const mount = await mountPointOf(dir);
  const stats = await statfs(dir).catch(() => undefined);
  const size = stats ? `; the filesystem holds ${formatBytes(stats.blocks * stats.bsize)}, ${formatBytes(stats.bavail * stats.bsize)} of it free` : '';
  return new DrillError(`no space left on ${mount} (the workspace ${dir}): the backup's LFS objects need ${formatBytes(needed)}${size}`, {
    hint: `free at least ${formatBytes(needed)} on ${mount}, or restore with --workdir on a larger disk (environment.disk: { minFreeGiB: auto } checks this before the drill)`,
    cause,
  });
}
