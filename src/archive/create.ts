/**
 * Writes a cold archive: a tar.gz whose first entry is whisper-drill-manifest.json (every file's
 * size and sha256, the hot tag it copies, the environment lock), a `.sha256` beside it in
 * sha256sum's format, and with a signing key a `.sig` (`ssh-keygen -Y sign -n file`).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { fileSha256 } from '../adapters/file-sha256.js';
import { describeFailure, run, type ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import { ARCHIVE_SIGNATURE_NAMESPACE } from './signature.js';
import { MANIFEST_FORMAT, MANIFEST_NAME, manifestText, type ArchiveManifest, type ManifestFile } from './manifest.js';

export interface ArchiveInput {
  /** The folder the files are read from. */
  readonly root: string;
  /** Files relative to `root`, as they go into the archive. */
  readonly files: readonly string[];
  /** Where a file is read from when not from `root` (a model kept where the service loads it). */
  readonly sources?: ReadonlyMap<string, string>;
  readonly tag: ArchiveManifest['tag'];
  readonly environmentLock: string | null;
  /** An SSH private key: the archive is signed with it. */
  readonly signingKey?: string;
  readonly createdAt?: Date;
  readonly runner?: ProcessRunner;
}

export interface WrittenArchive {
  readonly file: string;
  readonly sha256: string;
  readonly manifest: ArchiveManifest;
  readonly signature?: string;
}

/** Writes `out` (and `out.sha256`, `out.sig`): through a temporary name, so a reader never sees half an archive. */
export async function writeArchive(out: string, input: ArchiveInput): Promise<WrittenArchive> {
  const files: ManifestFile[] = [];
  const sourceOf = (relative: string) => input.sources?.get(relative) ?? path.join(input.root, relative);
  for (const relative of [...input.files].sort()) {
    const info = await stat(sourceOf(relative));
    if (!info.isFile()) throw new DrillError(`${sourceOf(relative)}: not a regular file`, { hint: 'an archive holds files only' });
    files.push({ path: relative, size: info.size, sha256: (await fileSha256(sourceOf(relative))).sha256 });
  }
  const manifest: ArchiveManifest = {
    format: MANIFEST_FORMAT,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    tag: input.tag,
    files,
    environmentLock: input.environmentLock,
  };
  const pack = tar.pack();
  const mtime = input.createdAt ?? new Date();
  const writing = (async () => {
    const text = manifestText(manifest);
    await new Promise<void>((resolve, reject) => pack.entry({ name: MANIFEST_NAME, size: Buffer.byteLength(text), mode: 0o644, mtime }, text, (error) => (error ? reject(error) : resolve())));
    for (const file of files) {
      const entry = pack.entry({ name: file.path, size: file.size, mode: 0o644, mtime });
      await pipeline(createReadStream(sourceOf(file.path), { highWaterMark: 1024 * 1024 }), entry);
    }
    pack.finalize();
  })();
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const partial = `${out}.partial-${process.pid}`;
  try {
    await Promise.all([writing, pipeline(pack, createGzip({ level: 6 }), hashing, createWriteStream(partial))]);
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const sha256 = hash.digest('hex');
  await writeFile(`${out}.sha256`, `${sha256}  ${path.basename(out)}\n`);
  // A .sig left from an earlier archive of this name would fail the new one's check: it goes either way.
  await rm(`${out}.sig`, { force: true });
  if (!input.signingKey) return { file: out, sha256, manifest };
  const signed = await run('ssh-keygen', ['-Y', 'sign', '-n', ARCHIVE_SIGNATURE_NAMESPACE, '-f', input.signingKey, out], { runner: input.runner });
  if (signed.exitCode !== 0) throw new DrillError(`signing ${out} failed: ${describeFailure(signed)}`);
  return { file: out, sha256, manifest, signature: `${out}.sig` };
}
