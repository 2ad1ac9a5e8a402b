/**
 * Puts a restored file where its pointer was. The pointer is removed first and the file renamed into
 * the free name: renamed *over* another file, ext4 (auto_da_alloc) starts writing the new file's
 * blocks out at once, which took 160–260 ms for 512 MiB here and buys nothing in a workspace that no
 * one reads until the drill has finished restoring it.
 */
import { rename, rm } from 'node:fs/promises';

export async function placeOverPointer(temp: string, dest: string): Promise<void> {
  await rm(dest, { force: true });
  await rename(temp, dest);
}
