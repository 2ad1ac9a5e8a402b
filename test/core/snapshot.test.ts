/**
 * Listing the snapshot tags of the real sample backup (a bare repository with Git LFS objects and
 * an SSH-signed tag), reading LFS pointers out of a commit's tree, and parsing pointer text.
 */
import { parseRemote } from '../../src/snapshot/remote.js';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_HISTORY } from '../../src/sample/history.js';
import type { SampleBackup } from '../../src/sample/build.js';
import { MAX_POINTER_SIZE, parsePointer, readLfsPointers, readLfsPointersOfMany } from '../../src/snapshot/pointers.js';
import { fetchTagMetadata, listSnapshotTags, type TagListing } from '../../src/snapshot/tags.js';
import { copyBareRepo, gitText, lfsObjectFile, sampleBackup } from '../helpers/sample.js';

const execFileAsync = promisify(execFile);

const NEWEST_FIRST = ['v1.3-signed-release', 'v1.2-config-tuned', 'v1.1-broken-model', 'v1.0-model-large-v3'];
const LFS_PATHS = ['example/silence.wav', 'example/test_cn.wav', 'models/large-v3.pt'];

const OID = 'a'.repeat(64);
const pointerText = (oid: string, size: number) => `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

let tmp = '';
let sample: SampleBackup;
let metaDir = '';
let otherSigners = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-snapshot-'));
  sample = await sampleBackup();
  metaDir = path.join(tmp, 'meta.git');
  await fetchTagMetadata(metaDir, parseRemote(sample.url), 'v*');

  // An allowed_signers file that names the same principal with a key that did not sign anything.
  const key = path.join(tmp, 'other_key');
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'someone-else', '-f', key]);
  otherSigners = path.join(tmp, 'other_allowed_signers');
  const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
  await writeFile(otherSigners, `backup-signer@whisper.example namespaces="git" ${publicKey}\n`);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function byName(tags: readonly TagListing[], name: string): TagListing {
  const tag = tags.find((t) => t.name === name);
  if (!tag) throw new Error(`no tag ${name} in ${tags.map((t) => t.name).join(', ')}`);
  return tag;
}

describe('listSnapshotTags on the sample backup', () => {
  it('lists the four tags newest first, each with the commit it points at, its date and message', async () => {
    const tags = await listSnapshotTags(metaDir, 'v*', sample.allowedSigners);

    expect(tags.map((t) => t.name)).toEqual(NEWEST_FIRST);
    for (const tag of tags) {
      // The commit of an annotated tag is the peeled object, not the tag object.
      const commit = (await gitText(['--git-dir', sample.repoDir, 'rev-parse', `${tag.name}^{commit}`])).trim();
      expect(tag.commit, tag.name).toBe(commit);
      const revision = SAMPLE_HISTORY.find((r) => r.tag === tag.name)!;
      expect(tag.message).toBe(revision.message);
      expect(new Date(tag.date).toISOString()).toBe(new Date(revision.date).toISOString());
    }
    const dates = tags.map((t) => Date.parse(t.date));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
  });

  it('counts the LFS files and their bytes from the pointers alone, matching the objects in the remote store', async () => {
    const tags = await listSnapshotTags(metaDir, 'v*');

    for (const tag of tags) {
      expect(tag.lfsFiles, tag.name).toBe(3);
      expect(tag.pointers.map((p) => p.path)).toEqual(LFS_PATHS);
      // Given the objects as the remote stores them, the listing's sizes are theirs (nothing was downloaded).
      let bytes = 0;
      for (const pointer of tag.pointers) {
        const info = await stat(lfsObjectFile(sample.repoDir, pointer.oid));
        expect(pointer.size, `${tag.name}:${pointer.path}`).toBe(info.size);
        bytes += info.size;
      }
      expect(tag.lfsBytes).toBe(bytes);
    }
    // v1.2 restored the v1.0 weights; v1.1 re-exported different ones.
    const model = (name: string) => byName(tags, name).pointers.find((p) => p.path === 'models/large-v3.pt')!.oid;
    expect(model('v1.2-config-tuned')).toBe(model('v1.0-model-large-v3'));
    expect(model('v1.1-broken-model')).not.toBe(model('v1.0-model-large-v3'));
  });

  it("verifies the signed tag with the backup's allowed_signers; the other tags are unsigned", async () => {
    const tags = await listSnapshotTags(metaDir, 'v*', sample.allowedSigners);

    const signed = byName(tags, 'v1.3-signed-release');
    expect(signed.signature).toBe('verified');
    expect(signed.signatureDetail).toContain('backup-signer@whisper.example');
    for (const name of NEWEST_FIRST.slice(1)) expect(byName(tags, name).signature, name).toBe('unsigned');
  });

  it('leaves the signature unchecked without an allowed_signers file', async () => {
    const tags = await listSnapshotTags(metaDir, 'v*');

    expect(byName(tags, 'v1.3-signed-release').signature).toBe('unchecked');
    for (const name of NEWEST_FIRST.slice(1)) expect(byName(tags, name).signature, name).toBe('unsigned');
  });

  it('calls the signature bad when allowed_signers holds another key, and says why', async () => {
    const tags = await listSnapshotTags(metaDir, 'v*', otherSigners);

    const signed = byName(tags, 'v1.3-signed-release');
    expect(signed.signature).toBe('bad');
    // The detail is the reason it failed, not git's "Good signature with key …" preamble.
    expect(signed.signatureDetail).toMatch(/No principal matched/);
    for (const name of NEWEST_FIRST.slice(1)) expect(byName(tags, name).signature, name).toBe('unsigned');
  });

  it('calls the signature bad when the signed tag was altered after signing', async () => {
    // Given a copy of the backup whose signed tag message was rewritten (the signature kept)
    const remote = await copyBareRepo(sample.repoDir, path.join(tmp, 'tampered.git'));
    const original = await gitText(['--git-dir', remote, 'cat-file', 'tag', 'v1.3-signed-release']);
    const tampered = original.replace('Signed release', 'Tampered release');
    expect(tampered).not.toBe(original);
    const object = (await gitText(['--git-dir', remote, 'mktag'], undefined, tampered)).trim();
    await gitText(['--git-dir', remote, 'update-ref', 'refs/tags/v1.3-signed-release', object]);

    // When its tags are listed with the right allowed_signers
    const meta = path.join(tmp, 'tampered-meta.git');
    await fetchTagMetadata(meta, parseRemote(`file://${remote}`), 'v*');
    const tags = await listSnapshotTags(meta, 'v*', sample.allowedSigners);

    // Then the signature is bad, and the detail says it does not match
    const signed = byName(tags, 'v1.3-signed-release');
    expect(signed.message).toBe('Tampered release after the Q2 drill');
    expect(signed.signature).toBe('bad');
    expect(signed.signatureDetail).toMatch(/incorrect signature/);
  });

  it('selects tags by the glob of the plan', async () => {
    expect((await listSnapshotTags(metaDir, 'v1.1*')).map((t) => t.name)).toEqual(['v1.1-broken-model']);
    expect(await listSnapshotTags(metaDir, 'release-*')).toEqual([]);
  });

  it('reads every tag\'s pointers at once exactly as one tag at a time', async () => {
    const tags = await listSnapshotTags(metaDir, 'v*');
    const many = await readLfsPointersOfMany(metaDir, tags.map((t) => t.commit));
    for (const tag of tags) expect(many.get(tag.commit), tag.name).toEqual(await readLfsPointers(metaDir, tag.commit));
    expect(tags.every((t) => t.pointers.length === 3)).toBe(true);
  });

  it('fetches the tag metadata again into the same repository (a second drill reuses the cache)', async () => {
    await fetchTagMetadata(metaDir, parseRemote(sample.url), 'v*');
    expect((await listSnapshotTags(metaDir, 'v*')).map((t) => t.name)).toEqual(NEWEST_FIRST);
  });
});

describe('readLfsPointers', () => {
  it('reads the pointers of a tag of the sample in path order, and no other file', async () => {
    const pointers = await readLfsPointers(sample.repoDir, 'v1.2-config-tuned');

    expect(pointers.map((p) => p.path)).toEqual(LFS_PATHS);
    for (const pointer of pointers) {
      const shown = await gitText(['--git-dir', sample.repoDir, 'cat-file', '-p', `v1.2-config-tuned:${pointer.path}`]);
      expect(parsePointer(shown)).toEqual({ oid: pointer.oid, size: pointer.size });
    }
  });

  it('finds pointers under odd paths, keeps duplicates, and skips near-pointers and large files', async () => {
    // Given a repository whose committed files are pointer text (as git-lfs stores them), next to
    // files that only look like pointers.
    const repo = path.join(tmp, 'odd-paths');
    const files: Record<string, string> = {
      'dir with space/model one.pt': pointerText('b'.repeat(64), 123),
      'ünï/cödé.wav': pointerText('c'.repeat(64), 456),
      'copy-a.bin': pointerText('d'.repeat(64), 789),
      'copy-b.bin': pointerText('d'.repeat(64), 789),
      'tab\there.pt': pointerText('e'.repeat(64), 1),
      'near-pointer.txt': pointerText('Z'.repeat(64), 5),
      'large.txt': pointerText('f'.repeat(64), 10) + 'x'.repeat(MAX_POINTER_SIZE),
      'plain.txt': 'not a pointer\n',
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
      await writeFile(path.join(repo, file), text);
    }
    await gitText(['init', '--quiet', repo]);
    await gitText(['-C', repo, 'add', '--all']);
    await gitText(['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '--quiet', '-m', 'pointers']);

    // When the pointers of HEAD are read
    const pointers = await readLfsPointers(path.join(repo, '.git'), 'HEAD');

    // Then every real pointer is found with its exact path, in git's path order
    // (and the many-commits reader of a shallow copy finds the same)
    const shallow = path.join(tmp, 'odd-paths-shallow.git');
    await gitText(['clone', '--quiet', '--bare', '--depth', '1', `file://${repo}`, shallow]);
    const head = (await gitText(['--git-dir', shallow, 'rev-parse', 'HEAD'])).trim();
    expect((await readLfsPointersOfMany(shallow, [head])).get(head)).toEqual(pointers);
    expect(pointers).toEqual([
      { path: 'copy-a.bin', oid: 'd'.repeat(64), size: 789 },
      { path: 'copy-b.bin', oid: 'd'.repeat(64), size: 789 },
      { path: 'dir with space/model one.pt', oid: 'b'.repeat(64), size: 123 },
      { path: 'tab\there.pt', oid: 'e'.repeat(64), size: 1 },
      { path: 'ünï/cödé.wav', oid: 'c'.repeat(64), size: 456 },
    ]);
  });

  it('returns nothing for a tree without pointers', async () => {
    const repo = path.join(tmp, 'no-pointers');
    await mkdir(repo, { recursive: true });
    await writeFile(path.join(repo, 'README'), 'nothing large here\n');
    await gitText(['init', '--quiet', repo]);
    await gitText(['-C', repo, 'add', '--all']);
    await gitText(['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '--quiet', '-m', 'plain']);

    expect(await readLfsPointers(path.join(repo, '.git'), 'HEAD')).toEqual([]);
  });

  it('fails, naming the command, for a revision that does not exist', async () => {
    await expect(readLfsPointers(sample.repoDir, 'v9.9-missing')).rejects.toThrow(/git .*ls-tree.*v9\.9-missing/);
  });
});

describe('parsePointer', () => {
  it('reads a pointer with and without the final newline', () => {
    expect(parsePointer(pointerText(OID, 67111000))).toEqual({ oid: OID, size: 67111000 });
    expect(parsePointer(pointerText(OID, 0).trimEnd())).toEqual({ oid: OID, size: 0 });
  });

  it.each([
    ['an empty text', ''],
    ['another spec version', pointerText(OID, 1).replace('spec/v1', 'spec/v2')],
    ['an upper-case oid', pointerText(OID.toUpperCase(), 1)],
    ['a short oid', pointerText(OID.slice(1), 1)],
    ['a long oid', pointerText(`${OID}0`, 1)],
    ['another hash algorithm', pointerText(OID, 1).replace('sha256:', 'sha512:')],
    ['CRLF line ends', pointerText(OID, 1).replaceAll('\n', '\r\n')],
    ['a negative size', pointerText(OID, 1).replace('size 1', 'size -1')],
    ['a size with a unit', pointerText(OID, 1).replace('size 1', 'size 1k')],
    ['no size line', `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\n`],
    ['lines in another order', `oid sha256:${OID}\nversion https://git-lfs.github.com/spec/v1\nsize 1\n`],
    ['trailing content', `${pointerText(OID, 1)}more\n`],
    ['two final newlines', `${pointerText(OID, 1)}\n`],
    ['leading whitespace', ` ${pointerText(OID, 1)}`],
  ])('refuses %s', (_what, text) => {
    expect(parsePointer(text)).toBeUndefined();
  });
});
