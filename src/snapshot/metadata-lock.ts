/**
 * The cached tag-metadata repository is shared by every drill of the same backup on this host (cron
 * and an operator at once, or two plans): git refuses concurrent ref updates, so one drill at a time
 * fetches and lists, the others wait. proper-lockfile's lock is a directory (atomic on every
 * filesystem) kept fresh while held, and taken over when its holder died.
 */
import lockfile from 'proper-lockfile';
import { mkdir } from 'node:fs/promises';
import { DrillError } from '../model/errors.js';

export async function withMetadataLock<T>(metaDir: string, work: () => Promise<T>, waitMs = 10 * 60_000): Promise<T> {
  await mkdir(metaDir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(metaDir, {
      lockfilePath: `${metaDir}.lock`,
      stale: 30_000,
      update: 5_000,
      retries: { retries: Math.ceil(waitMs / 1000), factor: 1, minTimeout: 250, maxTimeout: 1000 },
    });
  } catch (error) {
    throw new DrillError(`another drill has held ${metaDir}.lock for too long: ${(error as Error).message}`, { hint: 'wait for the other drill of this backup to finish, or remove the lock if its process is gone' });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
