/** Free space where the workspace will go (the directory need not exist yet). No process is spawned. */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { unanswered } from './common.js';
import type { ProbeResult } from './types.js';

export interface DiskFacts {
  /** The nearest existing directory at or above the requested path; its filesystem was measured. */
  readonly checkedPath: string;
  /** Bytes available to this user (statfs bavail). */
  readonly freeBytes: number;
  readonly totalBytes: number;
}

export async function probeDisk(path: string): Promise<ProbeResult<DiskFacts>> {
  let current = resolve(path);
  for (;;) {
    try {
      const stats = await statfs(current);
      return { ok: true, checkedPath: current, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) {
        return unanswered(`cannot measure free space at ${current}: ${(error as Error).message}`);
      }
      current = parent;
    }
  }
}

/** Free bytes for `path` (see probeDisk); throws when the filesystem cannot be measured. */
export async function freeBytes(path: string): Promise<number> {
  const result = await probeDisk(path);
  if (!result.ok) throw new Error(result.message);
  return result.freeBytes;
}
