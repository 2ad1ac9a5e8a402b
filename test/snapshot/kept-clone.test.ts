/** --resume: what a killed drill left in its workspace, checked again (real git), never taken on trust. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptClone } from '../../src/snapshot/kept-clone.js';
import { keptObjects } from '../../src/snapshot/lfs/kept-objects.js';
import { systemRunner, type RunOptions } from '../../src/adapters/run.js';

let root: string;
const git = (args: string[], cwd = root) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'kept-clone-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A repository with a config file and a model path, cloned into `ws` as a drill's fetch does. */
function clonedWorkspace(): { ws: string; commit: string } {
  return clonedWorkspaceAt('ws');
}

function clonedWorkspaceAt(name: string): { ws: string; commit: string } {
  const repo = path.join(root, `repo-${name}`);
  mkdirSync(path.join(repo, 'models'), { recursive: true });
  writeFileSync(path.join(repo, 'config.yaml'), 'beam_size: 5\n');
  writeFileSync(path.join(repo, 'models', 'large-v3.pt'), 'version https://git-lfs.github.com/spec/v1\n');
  git(['init', '-q', repo]);
  git(['-C', repo, 'add', '.']);
  git(['-C', repo, 'commit', '-qm', 'backup']);
  const ws = path.join(root, name);
  git(['clone', '-q', repo, ws]);
  return { ws, commit: git(['-C', ws, 'rev-parse', 'HEAD']) };
}

describe('keptClone', () => {
  it('keeps a clone at the commit: its other files written again, a stale index.lock removed, the LFS files left as they are', async () => {
    const { ws, commit } = clonedWorkspace();
    writeFileSync(path.join(ws, 'config.yaml'), 'beam_size: 1\n# half-writ');
    writeFileSync(path.join(ws, 'models', 'large-v3.pt'), 'the model, placed by the killed drill');
    writeFileSync(path.join(ws, '.git', 'index.lock'), '');
    // Through the drill's runner (its processes carry the drill's run id).
    const ran: string[] = [];
    const runner = { run: (file: string, args: readonly string[], options?: RunOptions) => (ran.push(args.join(' ')), systemRunner.run(file, args, options)), shell: systemRunner.shell };
    const kept = await keptClone(ws, commit, new Set(['models/large-v3.pt']), { runner });
    expect(kept).toEqual({ kept: true, said: `kept the clone at ${commit.slice(0, 12)} (its stale index.lock removed); its 1 other file(s) written again from git's objects, anything else the killed run had made there removed` });
    expect(readFileSync(path.join(ws, 'config.yaml'), 'utf8')).toBe('beam_size: 5\n');
    expect(readFileSync(path.join(ws, 'models', 'large-v3.pt'), 'utf8')).toBe('the model, placed by the killed drill');
    expect(existsSync(path.join(ws, '.git', 'index.lock'))).toBe(false);
    expect(ran).toEqual([
      `-C ${ws} rev-parse --verify -q HEAD^{commit}`,
      `-C ${ws} read-tree HEAD`,
      `-C ${ws} ls-files -z`,
      `-C ${ws} checkout-index -f -- config.yaml`,
      `-C ${ws} clean -ffdxq -e *.whisper-drill-part`,
    ]);
    // Again, with no lock to remove.
    expect((await keptClone(ws, commit, new Set(['models/large-v3.pt']))).said).toBe(`kept the clone at ${commit.slice(0, 12)}; its 1 other file(s) written again from git's objects, anything else the killed run had made there removed`);
  });

  it('writes a clone killed mid-checkout whole (its index gone), and removes what the killed run made beside it but a partial download', async () => {
    const { ws, commit } = clonedWorkspace();
    rmSync(path.join(ws, '.git', 'index'));
    rmSync(path.join(ws, 'config.yaml'));
    mkdirSync(path.join(ws, '.venv', 'bin'), { recursive: true });
    writeFileSync(path.join(ws, '.venv', 'bin', 'python'), 'half a venv');
    mkdirSync(path.join(ws, '.whisper-drill'));
    writeFileSync(path.join(ws, '.whisper-drill', 'service.log'), 'Traceback of the killed run');
    writeFileSync(path.join(ws, 'models', 'large-v3.pt.whisper-drill-part'), 'the first blocks');
    expect((await keptClone(ws, commit, new Set(['models/large-v3.pt']))).kept).toBe(true);
    expect(readFileSync(path.join(ws, 'config.yaml'), 'utf8')).toBe('beam_size: 5\n');
    expect(existsSync(path.join(ws, '.venv'))).toBe(false);
    expect(existsSync(path.join(ws, '.whisper-drill'))).toBe(false);
    expect(readFileSync(path.join(ws, 'models', 'large-v3.pt.whisper-drill-part'), 'utf8')).toBe('the first blocks');
  });

  it('clears a clone at another commit, or one killed before it had one, or none at all', async () => {
    const { ws } = clonedWorkspace();
    const other = 'f'.repeat(40);
    expect(await keptClone(ws, other, new Set())).toEqual({ kept: false, said: expect.stringMatching(/^the clone it left is at [0-9a-f]{12}, not the tag's ffffffffffff: the workspace was cleared and is cloned anew$/) });
    expect(readdirSync(ws)).toEqual([]);
    mkdirSync(path.join(ws, '.git'));
    writeFileSync(path.join(ws, 'half'), 'x');
    expect((await keptClone(ws, other, new Set())).said).toBe('the clone it left has no commit checked out (killed while cloning): the workspace was cleared and is cloned anew');
    expect(readdirSync(ws)).toEqual([]);
    writeFileSync(path.join(ws, 'stray'), 'x');
    expect((await keptClone(ws, other, new Set())).said).toBe('no clone was left: the workspace was cleared and is cloned anew');
    expect(readdirSync(ws)).toEqual([]);
    // git runs with the drill's environment, and stops with it.
    const again = clonedWorkspaceAt('ws2');
    const stop = new AbortController();
    stop.abort();
    await expect(keptClone(again.ws, again.commit, new Set(), { signal: stop.signal })).rejects.toThrow();
    expect(readdirSync(again.ws)).toContain('.git');
    expect((await keptClone(again.ws, again.commit, new Set(), { env: { GIT_DIR: path.join(root, 'no-such-repo') } })).kept).toBe(false);
    // A workspace that is not there at all.
    expect(await keptClone(path.join(root, 'gone'), other, new Set())).toEqual({ kept: false, said: 'no clone was left: the workspace was cleared and is cloned anew' });
  });
});

describe('keptObjects', () => {
  it('keeps a placed file whose size and sha256 are its pointer\'s, and only that one', async () => {
    const body = Buffer.from('model bytes '.repeat(1000));
    const oid = createHash('sha256').update(body).digest('hex');
    const sameSize = Buffer.from(body);
    sameSize[0] = 0;
    const files: Record<string, Buffer | string> = { 'ok.pt': body, 'pointer.pt': `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${body.length}\n`, 'damaged.pt': sameSize };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(root, name), content);
    const pointers = Object.keys(files).map((name, i) => ({ path: name, oid: i === 0 ? oid : `${i}`.repeat(64), size: body.length }));
    // The damaged file is read (its size matches) and not kept; the pointer is not even read.
    let read = 0;
    const kept = await keptObjects(pointers, (p) => path.join(root, p.path), undefined, (delta) => (read += delta));
    expect([...kept.values()]).toEqual([{ oid, size: body.length, sha256: oid, resumed: 0, keptBytes: body.length }]);
    expect(read).toBe(body.length);
  });

  it('reads nothing of a file of another size, a folder, or a path with nothing; goes without a progress callback; stops when told', async () => {
    writeFileSync(path.join(root, 'short.pt'), 'short');
    mkdirSync(path.join(root, 'folder.pt'));
    const size = 4096;
    const pointers = ['short.pt', 'folder.pt', 'missing.pt'].map((name, i) => ({ path: name, oid: `${i}`.repeat(64), size }));
    const deltas: number[] = [];
    expect((await keptObjects(pointers, (p) => path.join(root, p.path), undefined, (delta) => deltas.push(delta))).size).toBe(0);
    expect(deltas).toEqual([]);
    const body = Buffer.from('x'.repeat(size));
    writeFileSync(path.join(root, 'same-size.pt'), body);
    const same = [{ path: 'same-size.pt', oid: '9'.repeat(64), size }, { path: 'ok.pt', oid: createHash('sha256').update(body).digest('hex'), size }];
    writeFileSync(path.join(root, 'ok.pt'), body);
    expect([...(await keptObjects(same, (p) => path.join(root, p.path))).keys()]).toEqual([same[1]!.oid]);
    const stop = new AbortController();
    stop.abort(new Error('interrupted'));
    await expect(keptObjects(same, (p) => path.join(root, p.path), stop.signal)).rejects.toThrow('interrupted');
    // Stopped inside a file too (one of two 4 MiB blocks read): the read itself takes the signal.
    const big = Buffer.alloc(8 * 1024 * 1024 + 1, 7);
    writeFileSync(path.join(root, 'big.pt'), big);
    const midway = new AbortController();
    const reading = keptObjects([{ path: 'big.pt', oid: createHash('sha256').update(big).digest('hex'), size: big.length }], (p) => path.join(root, p.path), midway.signal, () => midway.abort(new Error('stopped midway')));
    await expect(reading).rejects.toThrow('stopped midway');
  });
});
