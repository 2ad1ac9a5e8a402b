/**
 * Restoring tags of the real sample backup (shallow smudge-free clone, git-lfs fetch, checkout) and
 * verifying every LFS file ourselves: a good tag, the tag whose remote object is corrupt, an object
 * missing from the remote, files damaged after checkout, a stale index lock, a missing tag.
 */
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/adapters/git.js';
import type { SampleBackup } from '../../src/sample/build.js';
import { assertSafeRef, checkoutLfsFiles, fetchLfsObjects, shallowClone, unshareLfsObjects, type LfsFetchResult } from '../../src/snapshot/fetch.js';
import { parsePointer, readLfsPointers, type LfsPointer } from '../../src/snapshot/pointers.js';
import { staleIndexLock, verifyLfsFile } from '../../src/snapshot/verify.js';
import { copyBareRepo, gitText, lfsObjectFile, sampleBackup, sha256Of } from '../helpers/sample.js';

let tmp = '';
let sample: SampleBackup;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-fetch-'));
  sample = await sampleBackup();
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Restored {
  readonly dir: string;
  readonly commit: string;
  readonly fetched: LfsFetchResult;
  readonly pointers: LfsPointer[];
  readonly bytesSeen: number[];
  /** The model file as the clone left it, before git-lfs ran. */
  readonly modelAfterClone: string;
  /** The hooks the clone left (git-lfs's filter installs its own when it runs). */
  readonly hooksAfterClone: string[];
}

/** The three phases of the fetch step, in order, into `tmp/<name>`. */
async function restore(url: string, tag: string, name: string): Promise<Restored> {
  const dir = path.join(tmp, name);
  const commit = await shallowClone(url, tag, dir);
  const modelAfterClone = await readFile(path.join(dir, 'models', 'large-v3.pt'), 'latin1');
  const hooksAfterClone = (await readdir(path.join(dir, '.git', 'hooks'))).filter((hook) => !hook.endsWith('.sample'));
  const bytesSeen: number[] = [];
  const fetched = await fetchLfsObjects(dir, tag, { onBytes: (bytes) => bytesSeen.push(bytes) });
  await checkoutLfsFiles(dir);
  const pointers = await readLfsPointers(path.join(dir, '.git'), 'HEAD');
  return { dir, commit, fetched, pointers, bytesSeen, modelAfterClone, hooksAfterClone };
}

function pointerAt(restored: Restored, file: string): LfsPointer {
  const pointer = restored.pointers.find((p) => p.path === file);
  if (!pointer) throw new Error(`${file} is not an LFS file of the restored tree`);
  return pointer;
}

/**
 * A working-tree file to damage. git-lfs hard-links objects between stores on one filesystem, so make
 * sure this file has no other name (the shared sample must stay intact).
 */
async function ownFile(dir: string, file: string): Promise<string> {
  const full = path.join(dir, file);
  expect((await stat(full)).nlink).toBe(1);
  return full;
}

describe('restoring the good tag v1.2-config-tuned', () => {
  let good: Restored;

  beforeAll(async () => {
    good = await restore(sample.url, 'v1.2-config-tuned', 'good');
  });

  it('clones exactly the commit of the tag, without taking any LFS content through git', async () => {
    const expected = (await gitText(['--git-dir', sample.repoDir, 'rev-parse', 'v1.2-config-tuned^{commit}'])).trim();
    expect(good.commit).toBe(expected);
    // Shallow: one commit, no history.
    expect((await gitText(['-C', good.dir, 'rev-list', '--count', 'HEAD'])).trim()).toBe('1');
    // Smudge-free: right after the clone the model was still its pointer; git-lfs fetched the bytes.
    expect(parsePointer(good.modelAfterClone)).toEqual({
      oid: pointerAt(good, 'models/large-v3.pt').oid,
      size: pointerAt(good, 'models/large-v3.pt').size,
    });
    // Without git-lfs at all: the node's global `git lfs install` would have started its filter, which
    // installs git-lfs's hooks (and then ran its post-checkout).
    expect(good.hooksAfterClone).toEqual([]);
  });

  it('fetches every object: nothing rejected, nothing missing, the bytes reported add up', () => {
    expect(good.fetched.exitCode).toBe(0);
    expect(good.fetched.rejected.size).toBe(0);
    expect(good.fetched.missing).toEqual([]);
    const total = good.pointers.reduce((sum, p) => sum + p.size, 0);
    expect(good.bytesSeen.at(-1)).toBe(total);
  });

  it('verifies size and sha256 of every LFS file, and finds no stale index lock', async () => {
    expect(good.pointers).toHaveLength(3);
    let hashed = 0;
    for (const pointer of good.pointers) {
      const result = await verifyLfsFile(good.dir, pointer, (bytes) => (hashed += bytes));
      expect(result, pointer.path).toEqual({ path: pointer.path, size: pointer.size, oid: pointer.oid, verified: true, actualSize: pointer.size, actualSha256: pointer.oid });
    }
    expect(hashed).toBe(good.pointers.reduce((sum, p) => sum + p.size, 0));
    expect(await staleIndexLock(good.dir)).toBeUndefined();
  });

  it('names the file and both sizes and hashes when a file was truncated after checkout', async () => {
    // Given the model cut short after checkout (as a full disk leaves it)
    const pointer = pointerAt(good, 'models/large-v3.pt');
    const file = await ownFile(good.dir, pointer.path);
    await truncate(file, 1000);
    const actual = await sha256Of(file);

    // When it is verified
    const result = await verifyLfsFile(good.dir, pointer);

    // Then the problem names the file, both sizes and both hashes
    expect(result.verified).toBe(false);
    expect(result.actualSize).toBe(1000);
    expect(result.actualSha256).toBe(actual);
    expect(result.problem).toContain('models/large-v3.pt');
    expect(result.problem).toContain('1000 bytes on disk');
    expect(result.problem).toContain(`the pointer says ${pointer.size}`);
    expect(result.problem).toContain(actual);
    expect(result.problem).toContain(pointer.oid);
  });

  it('names the file and both hashes when a file was overwritten with other bytes of the same size', async () => {
    // Given the sample clip overwritten in place with bytes of the same length
    const pointer = pointerAt(good, 'example/test_cn.wav');
    const file = await ownFile(good.dir, pointer.path);
    const bytes = await readFile(file);
    bytes.fill(0x5a, 100, 4196);
    await writeFile(file, bytes);
    const actual = await sha256Of(file);

    const result = await verifyLfsFile(good.dir, pointer);

    expect(result.verified).toBe(false);
    expect(result.actualSize).toBe(pointer.size);
    expect(result.actualSha256).toBe(actual);
    expect(result.problem).toBe(`example/test_cn.wav: sha256 ${actual} on disk, expected ${pointer.oid}`);
  });

  it('says a file is missing from the restored tree when it was deleted', async () => {
    const pointer = pointerAt(good, 'example/silence.wav');
    await rm(path.join(good.dir, pointer.path));

    const result = await verifyLfsFile(good.dir, pointer);

    expect(result.verified).toBe(false);
    expect(result.problem).toBe('example/silence.wav: missing from the restored tree');
  });

  it('finds a stale .git/index.lock', async () => {
    const lock = path.join(good.dir, '.git', 'index.lock');
    await writeFile(lock, '');
    expect(await staleIndexLock(good.dir)).toBe(lock);
  });
});

describe('a workspace that stays (setup, --keep)', () => {
  it('gets LFS objects of its own: none is a hard link into the backup any more, and each keeps its bytes', async () => {
    // Given a restore whose objects git-lfs hard-linked to a copy of the backup's own
    const remote = await copyBareRepo(sample.repoDir, path.join(tmp, 'unshare-remote.git'));
    const kept = await restore(`file://${remote}`, 'v1.2-config-tuned', 'unshare');
    const model = pointerAt(kept, 'models/large-v3.pt');
    const local = lfsObjectFile(path.join(kept.dir, '.git'), model.oid);
    const before = await stat(local);
    expect(before.nlink).toBeGreaterThan(1);
    // When the workspace is made independent
    const unshared = await unshareLfsObjects(kept.dir);
    // Then no object has another name, the backup's object is untouched, and the bytes are the same
    const after = await stat(local);
    expect(after.nlink).toBe(1);
    expect(unshared).toBe(kept.pointers.length);
    expect(await sha256Of(local)).toBe(model.oid);
    expect((await stat(lfsObjectFile(remote, model.oid))).ino).not.toBe(after.ino);
  });
});

describe('restoring v1.1-broken-model, whose model object is corrupt on the remote', () => {
  let broken: Restored;

  beforeAll(async () => {
    broken = await restore(sample.url, 'v1.1-broken-model', 'broken');
  });

  it("lists the refused oid with the hash git-lfs computed, which is the remote object's real sha256", async () => {
    const model = pointerAt(broken, 'models/large-v3.pt');
    const remoteActual = await sha256Of(lfsObjectFile(sample.repoDir, model.oid));
    expect(remoteActual).not.toBe(model.oid);

    expect(broken.fetched.exitCode).not.toBe(0);
    expect([...broken.fetched.rejected]).toEqual([[model.oid, remoteActual]]);
    expect(broken.fetched.missing).toEqual([]);
    expect(broken.fetched.command).toBe('git -C ' + broken.dir + ' lfs fetch origin v1.1-broken-model');
  });

  it('leaves the model a pointer; verify names the file and both hashes; the other files verify', async () => {
    const model = pointerAt(broken, 'models/large-v3.pt');
    const remoteActual = broken.fetched.rejected.get(model.oid)!;

    const result = await verifyLfsFile(broken.dir, model, undefined, remoteActual);

    expect(result.verified).toBe(false);
    expect(result.problem).toContain('models/large-v3.pt');
    expect(result.problem).toContain('still an LFS pointer');
    expect(result.problem).toContain(remoteActual);
    expect(result.problem).toContain(model.oid);
    expect(result.actualSha256).toBe(remoteActual);
    for (const pointer of broken.pointers.filter((p) => p !== model)) {
      expect((await verifyLfsFile(broken.dir, pointer)).verified, pointer.path).toBe(true);
    }
  });
});

describe('an LFS object missing from the remote', () => {
  it('is listed as missing, and verify names the file, its expected size and hash', async () => {
    // Given a copy of the backup whose model object was deleted from the LFS store
    const remote = await copyBareRepo(sample.repoDir, path.join(tmp, 'incomplete.git'));
    const [model] = (await readLfsPointers(remote, 'v1.2-config-tuned')).filter((p) => p.path === 'models/large-v3.pt');
    await rm(lfsObjectFile(remote, model!.oid));

    // When the tag is restored from the copy
    const restored = await restore(`file://${remote}`, 'v1.2-config-tuned', 'incomplete');

    // Then git-lfs's failure names the missing object
    expect(restored.fetched.exitCode).not.toBe(0);
    expect(restored.fetched.missing).toEqual([model!.oid]);
    expect(restored.fetched.rejected.size).toBe(0);
    // and the file stays a pointer, which verify catches
    const result = await verifyLfsFile(restored.dir, model!);
    expect(result.verified).toBe(false);
    expect(result.problem).toContain('models/large-v3.pt: still an LFS pointer');
    expect(result.problem).toContain(`expected ${model!.size} bytes with sha256 ${model!.oid}`);
  });
});

describe('refusing what cannot be restored', () => {
  it('fails the clone of a missing tag with a ToolError whose hint names the tag', async () => {
    const dir = path.join(tmp, 'no-such-tag');
    const error: unknown = await shallowClone(sample.url, 'v9.9-does-not-exist', dir).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    const toolError = error as ToolError;
    expect(toolError.hint).toContain('v9.9-does-not-exist');
    expect(toolError.message).toMatch(/git (-c \S+ )*clone /);
    expect(toolError.result.exitCode).toBe(128);
    expect(toolError.result.stderr).toMatch(/Remote branch v9\.9-does-not-exist not found/);
  });

  it.each(['-x', '--upload-pack=touch /tmp/x', 'a b', 'a..b', 'a~1', 'tag:x'])('assertSafeRef refuses %j', (ref) => {
    expect(() => assertSafeRef(ref)).toThrow(`refusing the ref name ${JSON.stringify(ref)}`);
  });

  it('assertSafeRef accepts the tag names of the sample', () => {
    for (const ref of ['v1.0-model-large-v3', 'v1.2-config-tuned', 'release/2026.06']) expect(() => assertSafeRef(ref)).not.toThrow();
  });

  it('refuses an option-like tag before running git', async () => {
    const dir = path.join(tmp, 'option-like');
    await expect(shallowClone(sample.url, '--upload-pack=touch', dir)).rejects.toThrow(/refusing the ref name/);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fetchLfsObjects(tmp, '-x')).rejects.toThrow(/refusing the ref name/);
  });
});
