/**
 * Installing on a node without an npm registry: the tarball `npm pack` makes installs with
 * `npm install -g` offline — the esbuild bundle holds every runtime dependency, so the package has
 * none — and the installed `whisper-drill` drills.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { installOffline, packTarball } from '../helpers/pack.js';

const run = promisify(execFile);
let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-pack-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('npm pack → npm install -g, offline', () => {
  it('the package declares no runtime dependency: the bundle carries them', async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bundledDependencies).toBeUndefined();
  });

  it('installs from the tarball alone and the installed command drills the demo', async () => {
    const tarball = await packTarball(scratch);
    expect(path.basename(tarball)).toMatch(/^whisper-drill-\d+\.\d+\.\d+\.tgz$/);
    const bin = await installOffline(tarball, path.join(scratch, 'prefix'), path.join(scratch, 'empty-cache'));
    const installed = path.join(scratch, 'prefix', 'lib', 'node_modules', 'whisper-drill');
    expect(existsSync(path.join(installed, 'node_modules')), 'nothing besides the package itself').toBe(false);
    expect((await run(bin, ['--version'])).stdout.trim()).toBe(JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')).version);
    const { file: plan } = await writeDemoPlan(path.join(scratch, 'demo.yaml'));
    const drill = await run(bin, ['drill', '--plan', plan, '--yes', '--report-dir', path.join(scratch, 'reports')], { cwd: scratch });
    expect(drill.stderr).toMatch(/^PASSED in .+: demo v1\.3-signed-release restored and verified; recovery .+ from fetch to the first correct transcript; critical path fetch → (install|verify) → start → assert$/m);
  }, 120_000);
});
