/**
 * backup.wheelhouse: the snapshot runs `pip wheel -r requirements.txt` with the node's own pip
 * configuration (here the local mirror) and keeps the wheels in LFS under wheels/, their hashes in
 * the environment lock. The drill of that tag installs the package (six, from the mirror: small, so the
 * test is about the wheelhouse, not pip's unpacking) from the wheels alone (the node's pip
 * configuration ignored, no index); the same drill of a tag whose wheels/ was taken out fails — the
 * node's mirror does not stand in for what the backup lacks.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, repoRoot, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { gitText } from '../helpers/sample.js';

let tmp = '';
let repo = '';
let plan = '';
const MIRROR = 'file:///opt/pypi/simple';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-snapshot-wheels-'));
  const svc = path.join(tmp, 'Whisper-large-v3');
  await cp(path.join(repoRoot, 'fixtures', 'sample-backup'), svc, { recursive: true });
  await writeFile(path.join(svc, 'requirements.txt'), 'six\n');
  // A stand-in model of 1 MiB: what is tested here is the wheelhouse.
  await new Promise<void>((resolve, reject) =>
    execFile('python3', [path.join(repoRoot, 'fixtures', 'model', 'make_model.py'), path.join(svc, 'models', 'large-v3.pt'), '--samples', svc, '--variant', '3', '--size-mib', '1'], (error) => (error ? reject(error) : resolve())),
  );
  repo = path.join(tmp, 'backup.git');
  await gitText(['init', '--quiet', '--bare', repo]);
  ({ file: plan } = await writeDemoPlan(path.join(tmp, 'plan.yaml')));
  const text = (await readFile(plan, 'utf8'))
    .replace('repo: "builtin:sample-backup"', `repo: "file://${repo}"`)
    .replace(
      /install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/,
      'install:\n  wheelhouse: wheels\n  commands:\n    - python3 -m pip install --target .pkgs -r requirements.txt\n    - python3 -c "import sys; sys.path.insert(0, \'.pkgs\'); import six; print(\'six\', six.__version__)"\n',
    )
    .replace(/ {2}start: \.venv\/bin\/python /, '  start: python3 ')
    .replace(/ {2}- name: model resident on GPU\n(?: {4}.*\n)+/, '');
  await writeFile(plan, `${text}${YAML.stringify({ backup: { from: svc, files: ['config.yaml', 'configuration.json', 'app.py', 'requirements.txt', 'example/', 'models/'], wheelhouse: true } })}`);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// The node's pip configuration names this machine's mirror besides an index it cannot reach: the
// operator's pip.conf would name theirs.
const snapshot = (...args: string[]) => runCli(['snapshot', '--plan', plan, '--yes', ...args], { cwd: tmp, env: { PIP_INDEX_URL: MIRROR }, timeoutMs: 120_000 });
const drill = (tag: string) => runCli(['drill', '--plan', plan, '--tag', tag, '--yes', '--report-dir', path.join(tmp, 'reports')], { cwd: tmp, env: { PIP_INDEX_URL: MIRROR }, timeoutMs: 120_000 });

describe.sequential('a snapshot with a wheelhouse', () => {
  it('keeps the package\'s wheel in LFS with its hash in the lock; the drill installs it from the wheels alone', async () => {
    const made = await snapshot('--tag', 'v1-wheels');
    expect(made.code, describeRun(made)).toBe(0);
    expect(made.stdout).toMatch(/^\[wheelhouse\] ok: 1 wheel, [\d.]+ MiB, for python3 /m);
    const files = (await gitText(['--git-dir', repo, 'ls-tree', '-r', '--name-only', 'v1-wheels'])).split('\n');
    const wheel = files.find((file) => file.startsWith('wheels/six-'))!;
    expect(wheel).toMatch(/^wheels\/six-[\d.]+-py2\.py3-none-any\.whl$/);
    expect(await gitText(['--git-dir', repo, 'cat-file', 'blob', `v1-wheels:${wheel}`])).toMatch(/^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:/);
    const lock = YAML.parse(await gitText(['--git-dir', repo, 'cat-file', 'blob', 'v1-wheels:environment.lock.yaml'])) as { wheels: Array<{ file: string; sha256: string }> };
    expect(lock.wheels).toEqual([{ file: path.basename(wheel), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);

    const drilled = await drill('v1-wheels');
    expect(drilled.code, describeRun(drilled)).toBe(0);
    expect(drilled.stdout + drilled.stderr).toContain("pip installs from the backup's wheels/ alone (no index, no node configuration)");
  }, 240_000);

  it('the same drill of a tag without wheels/ fails at install: the node\'s mirror does not stand in', async () => {
    await writeFile(plan, (await readFile(plan, 'utf8')).replace('wheelhouse: true', 'wheelhouse: false'));
    const made = await snapshot('--tag', 'v2-no-wheels');
    expect(made.code, describeRun(made)).toBe(0);
    expect(made.stdout).toMatch(/^ {2}removed wheels\/six-/m);
    const drilled = await drill('v2-no-wheels');
    expect(drilled.code, describeRun(drilled)).toBe(1);
    expect(drilled.stdout + drilled.stderr).toContain('the backup has no wheels (install.wheelhouse): pip has nothing to install from');
  }, 240_000);
});
