/**
 * A real PyTorch (a CPU build) in a venv cached between test runs, installed offline from the local
 * package mirror that pip's own configuration lists. Where no mirror holds that build, the reason is
 * computed up front so the test can be skipped saying why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, describeFailure } from '../../src/adapters/run.js';

export const TORCH_CPU = '2.13.0+cpu';

interface LocalSources {
  /** file:// simple indexes (for torch's own dependencies). */
  readonly indexes: string[];
  /** Directories of wheels. */
  readonly findLinks: string[];
}

/** The local (file:) indexes and wheel directories of `python3 -m pip config list`. */
function localSources(): LocalSources {
  let config = '';
  try {
    config = execFileSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return { indexes: [], findLinks: [] };
  }
  const values = (key: string) =>
    config.split('\n').filter((line) => line.split('=')[0]?.endsWith(key)).flatMap((line) => line.slice(line.indexOf('=') + 1).replace(/^'|'$/g, '').split(/\s+/).filter(Boolean));
  const asDir = (entry: string) => (entry.startsWith('file:') ? fileURLToPath(entry) : entry);
  return {
    indexes: [...new Set([...values('.index-url'), ...values('.extra-index-url')].filter((url) => url.startsWith('file:')))],
    findLinks: [...new Set(values('.find-links').map(asDir))].filter((dir) => existsSync(dir)),
  };
}

const wheelName = `torch-${TORCH_CPU}-`;
const inIndex = (index: string) => readFileSync(path.join(fileURLToPath(index), 'torch', 'index.html'), { encoding: 'utf8', flag: 'r' }).includes(wheelName);
const holdsTorch = (sources: LocalSources) =>
  sources.findLinks.some((dir) => readdirSync(dir).some((file) => file.startsWith(wheelName))) ||
  sources.indexes.some((index) => existsSync(path.join(fileURLToPath(index), 'torch', 'index.html')) && inIndex(index));

const pythonTag = (() => {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(f"py{sys.version_info[0]}.{sys.version_info[1]}")'], { encoding: 'utf8' }).trim();
  } catch {
    return 'none';
  }
})();

/** Where the venv lives between runs, keyed by torch version and Python version. */
export const torchVenvDir = path.join(os.homedir(), '.cache', 'whisper-drill-test', `torch-venv-${TORCH_CPU}-${pythonTag}`);
export const torchPython = path.join(torchVenvDir, 'bin', 'python');
const COMPLETE = path.join(torchVenvDir, '.complete');

/** Why the real-torch test cannot run here, or undefined when it can (cached, or installable offline). */
export function whyNoRealTorch(): string | undefined {
  if (existsSync(COMPLETE)) return undefined;
  if (pythonTag === 'none') return 'no python3 on this machine';
  const sources = localSources();
  if (sources.indexes.length === 0) return 'pip\'s configuration (python3 -m pip config list) names no local package index: torch cannot be installed offline';
  if (!holdsTorch(sources)) return `no local package source in pip's configuration holds torch ${TORCH_CPU}`;
  return undefined;
}

/** Installs torch into the cached venv unless it is there (first run: ~30 s; afterwards nothing). */
export async function ensureTorchVenv(): Promise<string> {
  if (existsSync(COMPLETE)) return torchPython;
  const { indexes, findLinks } = localSources();
  const building = `${torchVenvDir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(path.dirname(building), { recursive: true });
  try {
    const venv = await run('python3', ['-m', 'venv', building], { timeoutMs: 120_000 });
    if (venv.exitCode !== 0) throw new Error(describeFailure(venv));
    // Only the local indexes: the public one is unreachable here, and pip would retry it for ~90 s.
    const [index, ...extra] = indexes;
    const args = ['-m', 'pip', 'install', '--quiet', '--index-url', index!, ...extra.flatMap((url) => ['--extra-index-url', url]), ...findLinks.flatMap((dir) => ['--find-links', dir]), `torch==${TORCH_CPU}`];
    const pip = await run(path.join(building, 'bin', 'python'), args, { timeoutMs: 540_000, keepLines: 40 });
    if (pip.exitCode !== 0) throw new Error(describeFailure(pip));
    await writeFile(path.join(building, '.complete'), `${new Date().toISOString()}\n`);
    // Renamed only once complete, so a half-built venv is never taken for the cache (it is used through
    // bin/python and `python -m pip`, which do not depend on the directory's name).
    await rename(building, torchVenvDir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(COMPLETE)) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return torchPython;
}
