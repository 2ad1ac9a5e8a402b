/**
 * A gathered LFS file goes into the work clone the way git-lfs's clean filter would put it there —
 * its object under .git/lfs/objects, a pointer in the tree — but read once to hash it, and copied
 * only when the object is new: an unchanged 3 GB model costs one read, never a copy. The pointer is
 * git-lfs's own format (spec v1), so `git lfs push` and every restore read it as theirs.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileSha256 } from '../adapters/file-sha256.js';
import { DrillError } from '../model/errors.js';

export interface LfsObjectFile {
  readonly oid: string;
  readonly size: number;
  /** The file as it stood before it was read: when it still stands so after a copy, the copy is of what was hashed. */
  readonly stood?: { readonly mtimeMs: number; readonly ctimeMs: number; readonly ino: number };
}

export function pointerText(object: LfsObjectFile): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${object.oid}\nsize ${object.size}\n`;
}

/** sha256 and size of a file, read once. */
export async function hashFile(file: string, onBytes?: (bytes: number) => void, signal?: AbortSignal): Promise<LfsObjectFile> {
  const { mtimeMs, ctimeMs, ino } = await stat(file);
  const { sha256, size } = await fileSha256(file, { ...(onBytes ? { onBytes } : {}), ...(signal ? { signal } : {}) });
  return { oid: sha256, size, stood: { mtimeMs, ctimeMs, ino } };
}

/** Whether `file` still stands as it did when `object` was hashed (same inode, size and times). */
async function unchangedSince(file: string, object: LfsObjectFile): Promise<boolean> {
  const now = await stat(file).catch(() => undefined);
  return Boolean(object.stood && now && now.ino === object.stood.ino && now.size === object.size && now.mtimeMs === object.stood.mtimeMs && now.ctimeMs === object.stood.ctimeMs);
}

export function objectPath(workDir: string, oid: string): string {
  return path.join(workDir, '.git', 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
}

/**
 * The object in the clone's LFS store (copied — a reflink where the filesystem has them — when it is
 * not there with its size yet), and its pointer at `relative` in the work tree.
 */
export async function placeLfsFile(workDir: string, source: string, relative: string, object: LfsObjectFile, copy = true): Promise<{ copied: boolean }> {
  const target = objectPath(workDir, object.oid);
  const there = await stat(target).catch(() => undefined);
  let copied = false;
  if (copy && there?.size !== object.size) {
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.partial-${process.pid}`;
    try {
      await copyFile(source, partial, constants.COPYFILE_FICLONE);
      // The object must be what its name says: a source that stood still while it was hashed and copied
      // was copied as hashed (git's own test); one that did not is hashed again as copied.
      const same = (await unchangedSince(source, object)) || (await hashFile(partial)).oid === object.oid;
      if (!same) throw new DrillError(`${source} changed while it was copied (sha256 ${object.oid.slice(0, 12)}… when read, other bytes as copied)`, { hint: 'snapshot again once nothing writes to it' });
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
    copied = true;
  }
  const pointer = path.join(workDir, relative);
  await mkdir(path.dirname(pointer), { recursive: true });
  await writeFile(pointer, pointerText(object));
  return { copied };
}
