/** The package as `npm pack` makes it (from the dist/ that `npm test` just built), and an offline install of it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './cli.js';

const run = promisify(execFile);

/** Packs into `dir` and returns the tarball's path. The build ran before the tests: no prepack here. */
export async function packTarball(dir: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repoRoot });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  return path.join(dir, packed!.filename);
}

/**
 * `npm install -g` of the tarball into `prefix` as on a GPU node without a registry: an empty cache
 * and a registry that does not answer, so anything it would need to download fails the install.
 */
export async function installOffline(tarball: string, prefix: string, cache: string): Promise<string> {
  await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--cache', cache, '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund', tarball]);
  return path.join(prefix, 'bin', 'whisper-drill');
}
