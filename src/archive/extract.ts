/**
 * Extracts a cold archive (a tar.gz) into the workspace, safely, reading each byte once: the whole
 * archive's sha256 over the compressed bytes as they arrive, each file's sha256 as it is written.
 *
 * Safe means: no path outside the workspace (absolute names, `..`, a symlink that points out), no
 * device files, fifos or hard links, no file written twice or through a link, and never more bytes
 * than the disk budget — checked against the manifest before anything is written when the archive
 * carries one, else as a running total (a gzip's size is unknown until it is read).
 *
 * The tar format is tar-stream's (mafintosh/tar-stream: parsing only, the writing is ours so that
 * every rule above is ours to enforce and to name); gzip is Node's zlib.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { DrillError } from '../model/errors.js';
import { formatBytes } from '../model/format.js';
import { MANIFEST_NAME, manifestBytes, parseManifest, type ArchiveManifest } from './manifest.js';

export interface ExtractedFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Extracted {
  /** sha256 of the archive as read (the compressed bytes). */
  readonly archiveSha256: string;
  readonly archiveBytes: number;
  readonly manifest?: ArchiveManifest;
  /** Every regular file written, in the archive's order (the manifest not included). */
  readonly files: readonly ExtractedFile[];
  readonly symlinks: number;
}

export interface ExtractOptions {
  /** The workspace: it exists, and nothing is written outside it. */
  readonly dest: string;
  /** The most bytes the extraction may write. */
  readonly budgetBytes: number;
  /** For messages: the archive as the operator named it. */
  readonly display: string;
  readonly signal?: AbortSignal;
  /** Compressed bytes read so far. */
  readonly onBytes?: (bytes: number) => void;
  /** The manifest, once read (the first entry): throw to stop before any file is written. */
  readonly onManifest?: (manifest: ArchiveManifest) => void;
  /** Also given every byte of the archive as read (a signature check), with its backpressure; ended at the end. */
  readonly tap?: Writable;
}

/** An archive the drill refuses, and why, naming the entry. */
function refused(display: string, entry: string, why: string): DrillError {
  return new DrillError(`${display}: entry "${entry}" refused: ${why}`, { hint: 'nothing was written outside the workspace; the archive is not one to restore from — check who made it' });
}

/** The entry's path inside the workspace, or why it is not one. */
export function entryPath(name: string): { relative: string } | { problem: string } {
  if (name.includes('\0')) return { problem: 'its name holds a NUL byte' };
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return { problem: 'an absolute path' };
  const relative = path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
  if (relative === '..' || relative.startsWith('../') || name.split('/').includes('..')) return { problem: 'a path that climbs out with ".."' };
  if (relative === '' || relative === '.') return { relative: '.' };
  return { relative };
}

/** Where a symlink at `relative` pointing to `target` leads, when that stays inside the workspace. */
function linkInside(relative: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(relative), target));
  return resolved !== '..' && !resolved.startsWith('../');
}

const MiB = 1024 * 1024;
/** What an extraction leaves free on the workspace's filesystem, for the install after it. */
export const EXTRACTION_MARGIN_BYTES = 512 * MiB;

/** A manifest names files, not bytes: a larger first entry is not one. */
const MAX_MANIFEST_BYTES = 16 * MiB;

/** The first of `relative`'s parent folders that is a symlink the archive made, if any. */
function throughLink(relative: string, links: ReadonlySet<string>): string | undefined {
  const parts = relative.split('/');
  for (let i = 1; i < parts.length; i += 1) {
    const parent = parts.slice(0, i).join('/');
    if (links.has(parent)) return parent;
  }
  return undefined;
}

/**
 * Writes to a reader beside the extraction (a child's stdin) with its backpressure. A reader that
 * has gone (its process ended) is written to no more: it never holds the extraction up, and what
 * it ended with is its own verdict.
 */
function tapInto(into: Writable): { write(chunk: Buffer, then: () => void): void; end(): void } {
  let gone = false;
  let waiting: (() => void) | undefined;
  const release = () => {
    const next = waiting;
    waiting = undefined;
    next?.();
  };
  const leave = () => {
    gone = true;
    release();
  };
  into.on('error', leave).once('close', leave).on('drain', release);
  return {
    write(chunk, then) {
      if (gone || into.write(chunk)) return then();
      waiting = then;
    },
    end() {
      if (!gone) into.end();
    },
  };
}

/** What zlib or the tar parser said when the archive ends early or is damaged, in an operator's words. */
function damaged(display: string, error: Error, bytes: number): DrillError {
  const message = error.message;
  const early = /unexpected end|premature|truncated/i.test(message);
  return new DrillError(`${display}: ${early ? 'the archive ends early (truncated?)' : 'the archive is damaged'} after ${formatBytes(bytes)}: ${message}`, {
    hint: 'copy the archive again from where it is kept, and compare it with its .sha256',
    cause: error,
  });
}

export async function extractArchive(source: Readable, options: ExtractOptions): Promise<Extracted> {
  const { dest, display } = options;
  const archiveHash = createHash('sha256');
  let archiveBytes = 0;
  const tap = options.tap ? tapInto(options.tap) : undefined;
  const read = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      archiveHash.update(chunk);
      archiveBytes += chunk.length;
      options.onBytes?.(archiveBytes);
      if (tap) tap.write(chunk, () => done(null, chunk));
      else done(null, chunk);
    },
    flush(done) {
      tap?.end();
      done();
    },
  });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const extract = tar.extract();
  // The pipeline's own failure (a damaged gzip, a dropped connection) is what the loop below reports.
  const feeding = pipeline(source, read, gunzip, extract, options.signal ? { signal: options.signal } : {});
  let feedError: Error | undefined;
  feeding.catch((error: Error) => {
    feedError = error;
  });

  const files: ExtractedFile[] = [];
  const seen = new Set<string>();
  let manifest: ArchiveManifest | undefined;
  let budget = options.budgetBytes;
  let written = 0;
  let symlinks = 0;
  const links = new Set<string>();
  let first = true;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const isFirst = first;
      first = false;
      const where = entryPath(header.name);
      if ('problem' in where) throw refused(display, header.name, where.problem);
      const relative = where.relative;
      const type = header.type ?? 'file';
      // Nothing is made through a link the archive made: a chain of links inside the workspace could
      // otherwise lead out of it (p → ., then p/q → .., then q/file).
      const through = throughLink(relative, links);
      if (through) throw refused(display, header.name, `it lies under the symlink "${through}" the archive made`);
      if (isFirst && relative === MANIFEST_NAME && type === 'file') {
        if ((header.size ?? 0) > MAX_MANIFEST_BYTES) throw refused(display, header.name, `a manifest of ${formatBytes(header.size ?? 0)} (at most ${formatBytes(MAX_MANIFEST_BYTES)})`);
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        manifest = parseManifest(Buffer.concat(chunks).toString('utf8'), display);
        const needed = manifestBytes(manifest);
        if (needed > budget) {
          throw new DrillError(`${display}: its files need ${formatBytes(needed)} (the manifest says), more than the ${formatBytes(budget)} this extraction may write`, {
            hint: 'free space or pass --workdir on a larger filesystem; nothing was extracted',
          });
        }
        options.onManifest?.(manifest);
        // The manifest's sizes are the budget now: a file larger than it says is caught as it is written.
        budget = Math.min(budget, needed);
        continue;
      }
      if (relative === '.') {
        entry.resume();
        continue;
      }
      if (type === 'directory') {
        await mkdir(path.join(dest, relative), { recursive: true });
        entry.resume();
        continue;
      }
      if (type === 'symlink') {
        const target = header.linkname ?? '';
        if (!linkInside(relative, target)) throw refused(display, header.name, `a symlink that points out of the workspace (→ ${target})`);
        if (seen.has(relative)) throw refused(display, header.name, 'it appears twice');
        seen.add(relative);
        await mkdir(path.dirname(path.join(dest, relative)), { recursive: true });
        await symlink(target, path.join(dest, relative));
        links.add(relative);
        symlinks += 1;
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') throw refused(display, header.name, `a ${type} entry (only files, folders and symlinks inside the workspace are extracted)`);
      if (seen.has(relative)) throw refused(display, header.name, 'it appears twice');
      seen.add(relative);
      const size = header.size ?? 0;
      if (written + size > budget) {
        throw new DrillError(`${display}: ${relative} (${formatBytes(size)}) would take the extraction past ${formatBytes(budget)}${manifest ? ' (the sizes its manifest gives)' : ' (the space this extraction may use)'}`, {
          hint: manifest ? 'the archive holds more than its manifest names: do not restore it' : 'free space or pass --workdir on a larger filesystem',
        });
      }
      const file = path.join(dest, relative);
      await mkdir(path.dirname(file), { recursive: true });
      // O_EXCL and O_NOFOLLOW: nothing is written through a link, nor over a file already extracted.
      // (fs.open takes numeric flags; @types/node's WriteStream options name only strings.)
      const flags = (fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW) as unknown as string;
      const out = createWriteStream(file, { flags, mode: (header.mode ?? 0o644) & 0o755, highWaterMark: 4 * MiB });
      const hash = createHash('sha256');
      let bytes = 0;
      // The write stream's error (a full disk, EEXIST through O_EXCL) is kept and thrown here; its
      // 'close' comes on every path, an error's included, so nothing waits for a 'drain' that never comes.
      let failed: NodeJS.ErrnoException | undefined;
      out.on('error', (error) => (failed ??= error));
      const closed = new Promise<void>((resolve) => out.once('close', resolve));
      const drained = () =>
        new Promise<void>((resolve) => {
          const done = () => {
            out.off('drain', done);
            resolve();
          };
          out.once('drain', done);
          void closed.then(done);
        });
      try {
        for await (const chunk of entry) {
          if (failed) break;
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
          if (!out.write(chunk)) await drained();
        }
      } finally {
        if (failed) out.destroy();
        else out.end();
        await closed;
      }
      if (failed) {
        const code = failed.code;
        if (code === 'EEXIST' || code === 'ELOOP' || code === 'ENOTDIR') throw refused(display, header.name, `it would be written over or through an earlier entry (${code})`);
        throw new DrillError(`${display}: writing ${relative} failed: ${failed.message}`, { hint: "free space, or check the workspace's filesystem", cause: failed });
      }
      written += bytes;
      files.push({ path: relative, size: bytes, sha256: hash.digest('hex') });
    }
    await feeding;
  } catch (error) {
    source.destroy();
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof DrillError) throw error;
    throw damaged(display, feedError ?? (error as Error), archiveBytes);
  }
  if (feedError) throw damaged(display, feedError, archiveBytes);
  return { archiveSha256: archiveHash.digest('hex'), archiveBytes, ...(manifest ? { manifest } : {}), files, symlinks };
}

/**
 * The manifest alone, read from the archive's first entry (a few KiB of a file or a download, the
 * rest not read): what the archive claims to be, before anything is extracted. undefined when the
 * first entry is not one (an archive made by hand).
 */
export async function peekManifest(source: Readable, display: string, signal?: AbortSignal): Promise<ArchiveManifest | undefined> {
  const extract = tar.extract();
  const feeding = pipeline(source, createGunzip(), extract, signal ? { signal } : {});
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const where = entryPath(entry.header.name);
      if ('problem' in where || where.relative !== MANIFEST_NAME || (entry.header.type ?? 'file') !== 'file') return undefined;
      if ((entry.header.size ?? 0) > MAX_MANIFEST_BYTES) throw refused(display, entry.header.name, `a manifest of ${formatBytes(entry.header.size ?? 0)} (at most ${formatBytes(MAX_MANIFEST_BYTES)})`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      return parseManifest(Buffer.concat(chunks).toString('utf8'), display);
    }
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof DrillError) throw error;
    throw damaged(display, error as Error, 0);
  } finally {
    source.destroy();
    extract.destroy();
  }
}
