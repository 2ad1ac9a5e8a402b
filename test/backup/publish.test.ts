/**
 * The push of a snapshot when the backup's branch moved meanwhile (another job committed): the same
 * tree is committed again on the new head and pushed — nothing of the other commit is lost from the
 * history — with a note saying so. Real git, a bare file:// repository.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/backup/publish.js';
import { inClone, openWorkClone } from '../../src/backup/work-clone.js';
import { parseRemote } from '../../src/snapshot/remote.js';
import { gitText } from '../helpers/sample.js';

let tmp = '';
const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-publish-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function commitFrom(other: string, file: string, text: string): Promise<string> {
  await writeFile(path.join(other, file), text);
  await gitText(['-C', other, 'add', file]);
  await gitText(['-C', other, '-c', 'user.name=other', '-c', 'user.email=o@e', 'commit', '-q', '-m', `other: ${file}`]);
  await gitText(['-C', other, 'push', '-q', 'origin', 'HEAD:main']);
  return (await gitText(['-C', other, 'rev-parse', 'HEAD'])).trim();
}

describe('publish', () => {
  it('commits on the head it fetched; when the branch moved before the push, commits the same tree on the new head, once', async () => {
    const bare = path.join(tmp, 'backup.git');
    await gitText(['init', '-q', '--bare', '-b', 'main', bare]);
    const other = path.join(tmp, 'other');
    await gitText(['clone', '-q', bare, other]);
    const first = await commitFrom(other, 'README', 'first\n');

    const clone = await openWorkClone(path.join(tmp, 'work'), parseRemote(bare), 'main', { env });
    expect(clone.head).toBe(first);
    await writeFile(path.join(clone.dir, 'config.yaml'), 'beam_size: 5\n');
    await inClone(clone, ['add', '--all']);
    const tree = (await inClone(clone, ['write-tree'])).trim();

    // Another job commits after the snapshot fetched.
    const moved = await commitFrom(other, 'NOTES', 'another job\n');
    const notes: string[] = [];
    const commit = await publish(clone, tree, 'snapshot', undefined, (note) => notes.push(note));
    expect(notes).toEqual([`main of file://${bare} moved meanwhile (now ${moved.slice(0, 12)}): committing the same files on top of it`]);
    expect((await gitText(['--git-dir', bare, 'rev-parse', 'main'])).trim()).toBe(commit);
    expect((await gitText(['--git-dir', bare, 'rev-parse', `${commit}^`])).trim()).toBe(moved);
    expect((await gitText(['--git-dir', bare, 'rev-parse', `${commit}^{tree}`])).trim()).toBe(tree);
  });
});
