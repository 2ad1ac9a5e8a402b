/** verifyLfsFile case by case, on small files of its own: what is read, what is trusted, what is said. */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleIndexLock, verifyLfsFile } from '../../src/snapshot/verify.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-verify-file-'));
  await mkdir(path.join(root, 'models'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const bytes = Buffer.from('model bytes '.repeat(5000));
const oid = createHash('sha256').update(bytes).digest('hex');
const pointer = { path: 'models/m.pt', oid, size: bytes.length };
const pointerText = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${bytes.length}\n`;

describe('verifyLfsFile', () => {
  it('reads and hashes the file, counting its bytes, when the transfer said nothing', async () => {
    await writeFile(path.join(root, pointer.path), bytes);
    let seen = 0;
    expect(await verifyLfsFile(root, pointer, (n) => (seen += n))).toEqual({ ...pointer, verified: true, actualSize: bytes.length, actualSha256: oid });
    expect(seen).toBe(bytes.length);
  });

  it('trusts the hash taken as the bytes were written only when it, its size and the size on disk all match', async () => {
    const file = path.join(root, pointer.path);
    await writeFile(file, bytes);
    let seen = 0;
    // Landed right: not read again (the same record, the bytes counted once).
    expect(await verifyLfsFile(root, pointer, (n) => (seen += n), undefined, { sha256: oid, size: bytes.length })).toEqual({ ...pointer, verified: true, actualSize: bytes.length, actualSha256: oid });
    expect(seen).toBe(bytes.length);
    // Landed with another hash, or another size: the file is read, and what is on disk decides.
    expect(await verifyLfsFile(root, pointer, undefined, undefined, { sha256: 'f'.repeat(64), size: bytes.length })).toMatchObject({ verified: true, actualSha256: oid });
    expect(await verifyLfsFile(root, pointer, undefined, undefined, { sha256: oid, size: bytes.length - 1 })).toMatchObject({ verified: true });
    // The file changed on disk after it landed: its size no longer matches, and it is read.
    await writeFile(file, bytes.subarray(1));
    expect(await verifyLfsFile(root, pointer, undefined, undefined, { sha256: oid, size: bytes.length })).toMatchObject({ verified: false, actualSize: bytes.length - 1, problem: expect.stringContaining(`${bytes.length - 1} bytes on disk, the pointer says ${bytes.length}`) });
  });

  it('names a file left as its pointer, with the remote\'s hash when the transfer refused the object', async () => {
    await writeFile(path.join(root, pointer.path), pointerText);
    expect(await verifyLfsFile(root, pointer)).toEqual({ ...pointer, verified: false, actualSize: pointerText.length, problem: `models/m.pt: still an LFS pointer, its content never arrived; expected ${bytes.length} bytes with sha256 ${oid}` });
    expect(await verifyLfsFile(root, pointer, undefined, 'e'.repeat(64))).toEqual({
      ...pointer,
      verified: false,
      actualSize: pointerText.length,
      actualSha256: 'e'.repeat(64),
      problem: `models/m.pt: still an LFS pointer, its content never arrived; the remote's object hashes to sha256 ${'e'.repeat(64)}, expected ${oid} (refused, not written)`,
    });
  });

  it('reads a small file that is not a pointer as content, and a pointer-sized object that is its own content as content', async () => {
    await writeFile(path.join(root, pointer.path), 'tiny but not a pointer\n');
    expect(await verifyLfsFile(root, pointer)).toMatchObject({ verified: false, actualSize: 23, problem: expect.stringContaining('23 bytes on disk, the pointer says') });
    // An object whose bytes are a pointer's text and the pointer's size: it is what was backed up.
    const small = Buffer.from(pointerText);
    const own = { path: 'models/small.txt', oid: createHash('sha256').update(small).digest('hex'), size: small.length };
    await writeFile(path.join(root, own.path), small);
    expect(await verifyLfsFile(root, own)).toMatchObject({ verified: true });
  });

  it('names a file with other bytes of the right size, and a missing one', async () => {
    const other = Buffer.alloc(bytes.length, 0x41);
    await writeFile(path.join(root, pointer.path), other);
    const actual = createHash('sha256').update(other).digest('hex');
    expect(await verifyLfsFile(root, pointer)).toEqual({ ...pointer, verified: false, actualSize: bytes.length, actualSha256: actual, problem: `models/m.pt: sha256 ${actual} on disk, expected ${oid}` });
    expect(await verifyLfsFile(root, { ...pointer, path: 'models/gone.pt' })).toEqual({ path: 'models/gone.pt', oid, size: bytes.length, verified: false, problem: 'models/gone.pt: missing from the restored tree' });
    expect(await verifyLfsFile(root, { ...pointer, path: 'models' })).toMatchObject({ verified: false, problem: 'models: missing from the restored tree' });
  });

  it('finds a stale index lock, and none where there is none', async () => {
    expect(await staleIndexLock(root)).toBeUndefined();
    await mkdir(path.join(root, '.git'), { recursive: true });
    await writeFile(path.join(root, '.git', 'index.lock'), '');
    expect(await staleIndexLock(root)).toBe(path.join(root, '.git', 'index.lock'));
  });
});
