import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeArchive } from '../../src/archive/create.js';
import { extractArchive, peekManifest } from '../../src/archive/extract.js';
import { DrillError } from '../../src/model/errors.js';

let dir: string;
let dest: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-archive-'));
  dest = path.join(dir, 'ws');
  outside = path.join(dir, 'outside');
  await mkdir(dest);
  await mkdir(outside);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface RawEntry {
  readonly name: string;
  readonly type?: 'file' | 'symlink' | 'link' | 'directory' | 'character-device' | 'fifo';
  readonly body?: string | Buffer;
  readonly linkname?: string;
}

/** An archive written entry by entry, as a hostile one would be: tar-stream writes what it is told. */
async function rawArchive(name: string, entries: readonly RawEntry[]): Promise<string> {
  const file = path.join(dir, name);
  const pack = tar.pack();
  const writing = pipeline(pack, createGzip(), createWriteStream(file));
  for (const entry of entries) {
    const body = entry.body === undefined ? undefined : Buffer.from(entry.body);
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name: entry.name, type: entry.type ?? 'file', ...(body ? { size: body.length } : {}), ...(entry.linkname ? { linkname: entry.linkname } : {}), ...(entry.type === 'character-device' ? { devmajor: 1, devminor: 3 } : {}) },
        body ?? '',
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
  pack.finalize();
  await writing;
  return file;
}

const extract = (file: string, budgetBytes = 1024 ** 3) => extractArchive(createReadStream(file), { dest, budgetBytes, display: path.basename(file) });

async function failure(promise: Promise<unknown>): Promise<DrillError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DrillError);
  return error as DrillError;
}

async function nothingOutside(): Promise<void> {
  expect(await readdir(outside)).toEqual([]);
  expect((await readdir(dir)).sort()).toEqual(expect.arrayContaining(['outside', 'ws']));
}

describe('a cold archive, extracted', () => {
  it('writes every file with its sha256 and reads the manifest first; the whole archive is hashed as read', async () => {
    const root = path.join(dir, 'service');
    await mkdir(path.join(root, 'models'), { recursive: true });
    await writeFile(path.join(root, 'app.py'), 'print("hi")\n');
    await writeFile(path.join(root, 'models', 'large-v3.pt'), Buffer.alloc(3 * 1024 * 1024, 7));
    const written = await writeArchive(path.join(dir, 'cold.tar.gz'), { root, files: ['app.py', 'models/large-v3.pt'], tag: { name: 'v1', commit: 'abc' }, environmentLock: null });
    expect(written.manifest.files.map((f) => f.path)).toEqual(['app.py', 'models/large-v3.pt']);
    expect(await readFile(path.join(dir, 'cold.tar.gz.sha256'), 'utf8')).toBe(`${written.sha256}  cold.tar.gz\n`);

    expect(await peekManifest(createReadStream(written.file), 'cold.tar.gz')).toEqual(written.manifest);
    const result = await extract(written.file);
    expect(result.archiveSha256).toBe(written.sha256);
    expect(result.archiveSha256).toBe(createHash('sha256').update(await readFile(written.file)).digest('hex'));
    expect(result.manifest).toEqual(written.manifest);
    expect(result.files).toEqual(written.manifest.files);
    expect(await readFile(path.join(dest, 'app.py'), 'utf8')).toBe('print("hi")\n');
    expect(await readdir(dest)).not.toContain('whisper-drill-manifest.json');
  });

  it('an archive made by hand (no manifest) is extracted, and says so', async () => {
    const file = await rawArchive('by-hand.tar.gz', [{ name: 'config.yaml', body: 'a: 1\n' }, { name: 'models/', type: 'directory' }, { name: 'models/m.pt', body: 'weights' }]);
    expect(await peekManifest(createReadStream(file), 'by-hand.tar.gz')).toBeUndefined();
    const result = await extract(file);
    expect(result.manifest).toBeUndefined();
    expect(result.files.map((f) => f.path)).toEqual(['config.yaml', 'models/m.pt']);
  });

  it.each([
    ['a ../ entry', [{ name: '../outside/evil.txt', body: 'x' }], /"\.\.\/outside\/evil\.txt" refused: a path that climbs out/],
    ['a ../ entry deeper in', [{ name: 'models/../../outside/evil.txt', body: 'x' }], /refused: a path that climbs out/],
    ['an absolute path', [{ name: '/tmp/evil.txt', body: 'x' }], /"\/tmp\/evil\.txt" refused: an absolute path/],
    ['a symlink out', [{ name: 'models', type: 'symlink' as const, linkname: '../outside' }, { name: 'models/evil.txt', body: 'x' }], /"models" refused: a symlink that points out of the workspace \(→ \.\.\/outside\)/],
    ['an absolute symlink', [{ name: 'link', type: 'symlink' as const, linkname: '/etc' }], /refused: a symlink that points out/],
    ['a device file', [{ name: 'null', type: 'character-device' as const }], /"null" refused: a character-device entry/],
    ['a hard link', [{ name: 'a', body: 'x' }, { name: 'b', type: 'link' as const, linkname: '/etc/passwd' }], /"b" refused: a link entry/],
    ['the same file twice', [{ name: 'a', body: 'x' }, { name: 'a', body: 'y' }], /"a" refused: it appears twice/],
    [
      'a chain of links that each stay inside',
      [{ name: 'p', type: 'symlink' as const, linkname: '.' }, { name: 'p/q', type: 'symlink' as const, linkname: '..' }, { name: 'q/evil.txt', body: 'x' }],
      /"p\/q" refused: it lies under the symlink "p" the archive made/,
    ],
    ['a file through a link', [{ name: 'm', type: 'symlink' as const, linkname: 'models' }, { name: 'm/evil.txt', body: 'x' }], /"m\/evil\.txt" refused: it lies under the symlink "m"/],
  ])('refuses %s, naming the entry, and writes nothing outside the workspace', async (_what, entries, message) => {
    const file = await rawArchive('hostile.tar.gz', entries);
    const error = await failure(extract(file));
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(/nothing was written outside the workspace/);
    await nothingOutside();
  });

  it('stops at the disk budget: before writing, from the manifest; as a running total without one', async () => {
    const root = path.join(dir, 'service');
    await mkdir(root);
    await writeFile(path.join(root, 'big.bin'), Buffer.alloc(200_000));
    const written = await writeArchive(path.join(dir, 'big.tar.gz'), { root, files: ['big.bin'], tag: null, environmentLock: null });
    const before = await failure(extract(written.file, 100_000));
    expect(before.message).toMatch(/its files need 195 KiB \(the manifest says\), more than the 97\.7 KiB this extraction may write/);
    expect(await readdir(dest)).toEqual([]);

    const byHand = await rawArchive('big-by-hand.tar.gz', [{ name: 'a.bin', body: Buffer.alloc(60_000) }, { name: 'b.bin', body: Buffer.alloc(60_000) }]);
    const running = await failure(extract(byHand, 100_000));
    expect(running.message).toMatch(/b\.bin \(58\.6 KiB\) would take the extraction past 97\.7 KiB \(the space this extraction may use\)/);
  });

  it('a file larger than its manifest says is stopped', async () => {
    const manifest = JSON.stringify({ format: 'whisper-drill-manifest/1', createdAt: '2026-11-01T00:00:00Z', tag: null, environmentLock: null, files: [{ path: 'a.bin', size: 10, sha256: '0'.repeat(64) }] });
    const file = await rawArchive('lying.tar.gz', [{ name: 'whisper-drill-manifest.json', body: manifest }, { name: 'a.bin', body: Buffer.alloc(50_000) }]);
    const error = await failure(extract(file));
    expect(error.message).toMatch(/a\.bin \(48\.8 KiB\) would take the extraction past 10 B \(the sizes its manifest gives\)/);
  });

  it('a truncated archive is named as one', async () => {
    const root = path.join(dir, 'service');
    await mkdir(root);
    await writeFile(path.join(root, 'm.pt'), createHash('sha512').update('x').digest().toString('hex').repeat(5000));
    const written = await writeArchive(path.join(dir, 'cut.tar.gz'), { root, files: ['m.pt'], tag: null, environmentLock: null });
    const bytes = await readFile(written.file);
    await writeFile(written.file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await failure(extract(written.file));
    expect(error.message).toMatch(/cut\.tar\.gz: the archive ends early \(truncated\?\) after [\d.]+ KiB: unexpected end of file/);
  });

  it('a malformed manifest is named, not guessed at', async () => {
    const file = await rawArchive('bad-manifest.tar.gz', [{ name: 'whisper-drill-manifest.json', body: '{"format":"whisper-drill-manifest/1","files":[{"path":"a"}]}' }]);
    const error = await failure(extract(file));
    expect(error.message).toMatch(/whisper-drill-manifest\.json is malformed at createdAt/);
  });
});
