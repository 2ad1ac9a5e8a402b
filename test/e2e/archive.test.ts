/**
 * The cold tier drilled through the built CLI: the sample's signed archive passes and is the same as
 * its hot tag; damaged and hostile archives each fail at the step that finds them, nothing written
 * outside the workspace; the operators' own tar.gz (no manifest) runs but is never a pass.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type ArchiveManifest } from '../../src/archive/manifest.js';
import { runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { sampleBackup } from '../helpers/sample.js';

let dir: string;
let sampleArchive: string;
let tree: string;
let manifest: ArchiveManifest;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-archive-e2e-'));
  sampleArchive = (await sampleBackup()).archive;
  // The sample archive's files, unpacked by the system's tar: what the hostile variants are made of.
  tree = path.join(dir, 'tree');
  await mkdir(tree);
  execFileSync('tar', ['-xzf', sampleArchive, '-C', tree]);
  manifest = parseManifest(await readFile(path.join(tree, 'whisper-drill-manifest.json'), 'utf8'), 'sample');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Entry {
  readonly name: string;
  readonly body?: Buffer;
  readonly type?: 'file' | 'symlink';
  readonly linkname?: string;
}

/** An archive entry by entry: the sample's manifest first (or `manifestText`), then `entries`. */
async function archiveOf(name: string, entries: readonly Entry[], manifestText?: string): Promise<string> {
  const file = path.join(dir, name);
  const pack = tar.pack();
  const writing = pipeline(pack, createGzip(), createWriteStream(file));
  const all: Entry[] = [{ name: 'whisper-drill-manifest.json', body: Buffer.from(manifestText ?? JSON.stringify(manifest)) }, ...entries];
  for (const entry of all) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: entry.name, type: entry.type ?? 'file', ...(entry.body ? { size: entry.body.length } : {}), ...(entry.linkname ? { linkname: entry.linkname } : {}) }, entry.body ?? '', (e) => (e ? reject(e) : resolve())),
    );
  }
  pack.finalize();
  await writing;
  return file;
}

async function sampleEntries(change?: (file: string, bytes: Buffer) => Buffer): Promise<Entry[]> {
  return Promise.all(
    manifest.files.map(async (file) => {
      const bytes = await readFile(path.join(tree, file.path));
      return { name: file.path, body: change ? change(file.path, bytes) : bytes };
    }),
  );
}

/** A drill of `archive`, headless; its report and what was left in the folders around it. */
async function drill(name: string, archive: string) {
  const runDir = path.join(dir, name);
  const workdir = path.join(runDir, 'ws');
  await mkdir(runDir, { recursive: true });
  // A plan of its own, on a port of its own: the cases run at the same time.
  const plan = (await writeDemoPlan(path.join(dir, `${name}.yaml`))).file;
  const result = await runCli(['drill', '--plan', plan, '--archive', archive, '--yes', '--workdir', workdir, '--report-dir', path.join(runDir, 'reports')], { cwd: runDir, timeoutMs: 120_000 });
  const runs = await readdir(path.join(runDir, 'reports', 'demo'));
  const report = JSON.parse(await readFile(path.join(runDir, 'reports', 'demo', runs[0]!, 'report.json'), 'utf8')) as {
    verdict: string;
    verdictReasons: string[];
    steps: Array<{ id: string; status: string; summary: string }>;
    snapshot: { tag: string; signature: string; archive?: Record<string, unknown> };
    lfs: { files: Array<{ path: string; verified: boolean }> };
  };
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  return { result, report, step, runDir, left: (await readdir(runDir)).sort() };
}

// Each case drills in folders of its own: they run side by side.
describe.concurrent('drill --archive', () => {
  it("the sample's signed archive passes, every file verified and the same as v1.3-signed-release's LFS objects", async () => {
    const { result, report, step } = await drill('sample', sampleArchive);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(report.verdict).toBe('passed');
    expect(report.snapshot).toMatchObject({ tag: 'whisper-backup-20260601.tar.gz', signature: 'verified' });
    expect(report.snapshot.archive).toMatchObject({ manifest: true, claimsTag: 'v1.3-signed-release', hotTier: { status: 'same' } });
    expect(report.snapshot.archive!['sha256']).toBe(report.snapshot.archive!['expectedSha256']);
    expect(report.lfs.files).toHaveLength(manifest.files.length);
    expect(report.lfs.files.every((f) => f.verified)).toBe(true);
    expect(step('fetch').summary).toMatch(/sha256 matches its \.sha256, signature by backup-signer@whisper\.example verified/);
    expect(step('verify').summary).toMatch(/holds the same example\/silence\.wav, example\/test_cn\.wav, models\/large-v3\.pt as v1\.3-signed-release/);
    expect(result.stdout + result.stderr).toMatch(/PASSED in [\d.]+ s: demo whisper-backup-20260601\.tar\.gz restored and verified/);
  });

  it('damaged and hostile archives fail at the step that finds them, nothing written outside the workspace', async () => {
    const original = await readFile(sampleArchive);
    const truncated = path.join(dir, 'truncated.tar.gz');
    await writeFile(truncated, original.subarray(0, Math.floor(original.length * 0.6)));
    const flipped = await archiveOf('flipped.tar.gz', await sampleEntries((file, bytes) => (file === 'models/large-v3.pt' ? Buffer.concat([bytes.subarray(0, 1000), Buffer.from([bytes[1000]! ^ 0xff]), bytes.subarray(1001)]) : bytes)));
    const climbing = await archiveOf('climbing.tar.gz', [{ name: '../escaped.txt', body: Buffer.from('out') }]);
    const symlinkOut = await archiveOf('symlink-out.tar.gz', [{ name: 'models', type: 'symlink', linkname: '../..' }, { name: 'models/large-v3.pt', body: Buffer.from('x') }]);
    const huge = JSON.stringify({ ...manifest, files: [...manifest.files, { path: 'models/huge.bin', size: 64 * 1024 ** 4, sha256: '0'.repeat(64) }] });
    const tooBig = await archiveOf('too-big.tar.gz', await sampleEntries(), huge);
    // A .sha256 that does not match (the archive changed after it was written).
    const tampered = path.join(dir, 'tampered.tar.gz');
    await copyFile(sampleArchive, tampered);
    await writeFile(`${tampered}.sha256`, `${'ab'.repeat(32)}  tampered.tar.gz\n`);

    const [cut, flip, climb, link, big, sum] = await Promise.all([
      drill('truncated', truncated),
      drill('flipped', flipped),
      drill('climbing', climbing),
      drill('symlink-out', symlinkOut),
      drill('too-big', tooBig),
      drill('tampered', tampered),
    ]);
    for (const run of [cut, flip, climb, link, big, sum]) {
      expect(run.result.code, run.result.stdout + run.result.stderr).toBe(1);
      expect(run.report.verdict).toBe('failed');
      // The run's folder holds its reports only: the workspace is removed, nothing was written beside it.
      expect(run.left).toEqual(['reports']);
      expect(run.step('install').status).toBe('skipped');
    }
    expect(cut.step('fetch')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/truncated\.tar\.gz: the archive ends early \(truncated\?\) after/) });
    expect(flip.step('fetch').status).toBe('passed');
    expect(flip.step('verify')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/^models\/large-v3\.pt: sha256 [0-9a-f]{64} \(\d+ bytes\) in the archive, [0-9a-f]{64} \(\d+ bytes\) in its manifest/) });
    expect(climb.step('fetch')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/entry "\.\.\/escaped\.txt" refused: a path that climbs out/) });
    expect(link.step('fetch')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/entry "models" refused: a symlink that points out of the workspace \(→ \.\.\/\.\.\)/) });
    expect(big.step('snapshot')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/not enough disk space: the archive's files need 64\.\d TiB/) });
    expect(sum.step('fetch')).toMatchObject({ status: 'failed', summary: expect.stringMatching(/tampered\.tar\.gz: sha256 [0-9a-f]{64} as read, but its \.sha256 says (ab){32}/) });
    await expect(readFile(path.join(dir, 'escaped.txt'))).rejects.toThrow();
  });

  it("the operators' own tar.gz (no manifest) is restored and run, but the verdict is inconclusive, never a pass", async () => {
    const byHand = path.join(dir, 'whisper-backup-20261101.tar.gz');
    execFileSync('tar', ['-czf', byHand, '-C', tree, ...manifest.files.map((f) => f.path)]);
    const { result, report, step } = await drill('by-hand', byHand);
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(report.verdict).toBe('inconclusive');
    expect(step('verify')).toMatchObject({ status: 'warned', summary: `unverifiable: no manifest: ${manifest.files.length} file(s) unchecked` });
    expect(step('assert').status).not.toBe('skipped');
    expect(report.verdictReasons).toContain(`Archive verifiable: no manifest: ${manifest.files.length} file(s) unchecked`);
    expect(report.snapshot.archive).toMatchObject({ manifest: false, expectedSha256: null });
  });
});
