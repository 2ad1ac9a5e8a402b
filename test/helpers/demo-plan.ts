/**
 * The demo plan on a port of its own (other drills on this machine may hold the demo's 17860), plus
 * extra YAML. Its venv is a copy of the one the test run prepared (test/global-setup.ts): creating a
 * venv installs pip into it, 4–5 s of CPU each time, and the drills these tests run are not about
 * that — `demo --yes` (test/e2e/demo.test.ts) and drill.test.ts's first case still create theirs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { shellWord } from '../../src/model/shell-word.js';
import { repoRoot } from './cli.js';
import { freePort } from './sample.js';

/** The venv test/global-setup.ts prepared for the sample's app.py. */
export function sharedVenv(): string {
  const cache = process.env['WHISPER_DRILL_CACHE'];
  if (!cache) throw new Error('WHISPER_DRILL_CACHE is not set: the tests run under vitest, whose global setup sets it');
  return path.join(cache, 'sample-venv');
}

/**
 * demo.yaml's text with its venv copied from the prepared one instead of created; `pip` keeps the pip
 * install (as a module of the copy's own python) for a test that wants what pip brings (outside inputs).
 */
export function withSharedVenv(demoText: string, options: { pip?: boolean } = {}): string {
  const created = '    - python3 -m venv .venv\n';
  if (!demoText.includes(created)) throw new Error('drills/demo.yaml no longer creates its venv with "python3 -m venv .venv"');
  // The sample's requirements.txt installs nothing: the prepared venv is all the service needs, and
  // running pip to install nothing cost 0.7 s of CPU a drill (the drift step still runs pip freeze).
  const pip = /^ {4}- \.venv\/bin\/pip install [^\n]*\n/m;
  if (!pip.test(demoText)) throw new Error('drills/demo.yaml no longer runs .venv/bin/pip install');
  const copied = demoText.replace(created, `    - cp -a ${shellWord(sharedVenv())} .venv\n`);
  // The copy's scripts still name the prepared venv's python: pip runs as a module of the copy's own.
  return options.pip ? copied.replace('    - .venv/bin/pip install', '    - .venv/bin/python -m pip install') : copied.replace(pip, '');
}

export async function writeDemoPlan(file: string, extraYaml = '', options: { venv?: 'shared' | 'created'; pip?: boolean } = {}): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const demo = await readFile(path.join(repoRoot, 'drills', 'demo.yaml'), 'utf8');
  const text = options.venv === 'created' ? demo : withSharedVenv(demo, { pip: options.pip ?? false });
  await writeFile(file, `${text.replace(/^# yaml-language-server.*\n/, '').replaceAll('17860', String(port))}${extraYaml}`);
  return { file, port };
}
