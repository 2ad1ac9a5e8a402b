/** What is in a folder, removed; the folder stays (a workspace cleared for a restore, an operator's --workdir emptied). A folder that is not there is empty. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export async function emptyDir(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) await rm(path.join(dir, entry), { recursive: true, force: true, maxRetries: 3 });
}
