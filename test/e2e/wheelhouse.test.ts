/**
 * The node's pip configuration is an input from outside the backup too. Through the built CLI, with
 * the node's own wheel folder (a temp dir named in PIP_FIND_LINKS, as this machine kind names
 * /opt/wheels) holding the service's package:
 *  - a tag with a wheelhouse (wheels/): pip installs from it alone;
 *  - a wheelhouse that lacks the package: the install fails — pip does not quietly find it in the
 *    node's folder;
 *  - a tag without one: pip uses the node's sources, and the report lists each as outside the backup.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { copyBareRepo, gitText, sampleBackup } from '../helpers/sample.js';

let tmp = '';
let repo = '';
let nodeWheels = '';

/** A pure-Python wheel made with the standard library's zipfile: METADATA, WHEEL and RECORD are all pip asks of it. */
function makeWheel(dir: string, name: string): string {
  const file = path.join(dir, `${name}-1.0-py3-none-any.whl`);
  const script = [
    'import sys, zipfile',
    'file, name = sys.argv[1], sys.argv[2]',
    'info = f"{name}-1.0.dist-info"',
    'with zipfile.ZipFile(file, "w") as z:',
    '    z.writestr(f"{name}/__init__.py", "VERSION = \\"1.0\\"\\n")',
    '    z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 1.0\\n")',
    '    z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")',
    '    z.writestr(f"{info}/RECORD", f"{name}/__init__.py,,\\n{info}/METADATA,,\\n{info}/WHEEL,,\\n{info}/RECORD,,\\n")',
  ].join('\n');
  execFileSync('python3', ['-c', script, file, name]);
  return file;
}

interface Report {
  readonly verdict: string;
  readonly steps: Array<{ id: string; status: string; summary: string; error?: { message: string } }>;
  readonly outsideInputs: Array<{ kind: string; what: string; from: string }>;
}

async function drill(name: string, tag: string, env: Record<string, string> = {}): Promise<{ report: Report; output: string }> {
  const { file } = await writeDemoPlan(path.join(tmp, `${name}.yaml`));
  const plan = (await readFile(file, 'utf8'))
    .replace('repo: "builtin:sample-backup"', `repo: "file://${repo}"`)
    .replace(
      /install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/,
      'install:\n  commands:\n    - python3 -m pip install --target .pkgs -r requirements.txt\n    - echo "pip compiled $(ls .pkgs/drilltest_pkg/__pycache__ 2>/dev/null | wc -l) bytecode file(s)"\n    - python3 -c "import sys; sys.path.insert(0, \'.pkgs\'); import drilltest_pkg"\n',
    )
    .replace(/ {2}start: \.venv\/bin\/python /, '  start: python3 ')
    .replace(/ {2}- name: model resident on GPU\n(?: {4}.*\n)+/, '');
  await writeFile(file, plan);
  const reports = path.join(tmp, `reports-${name}`);
  const result = await runCli(['drill', '--plan', file, '--tag', tag, '--yes', '--report-dir', reports], {
    cwd: tmp,
    env: { PIP_FIND_LINKS: nodeWheels, GRADIO_TEMP_DIR: path.join(tmp, 'uploads'), ...env },
    timeoutMs: 120_000,
  });
  const folder = /report: (.*)\/report\.md/.exec(result.stderr)?.[1];
  expect(folder, describeRun(result)).toBeDefined();
  return { report: JSON.parse(await readFile(path.join(folder!, 'report.json'), 'utf8')) as Report, output: result.stderr };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-wheelhouse-'));
  nodeWheels = path.join(tmp, 'node-wheels');
  await mkdir(nodeWheels);
  makeWheel(nodeWheels, 'drilltest_pkg');
  repo = await copyBareRepo((await sampleBackup()).repoDir, path.join(tmp, 'backup.git'));
  const work = path.join(tmp, 'work');
  const noSmudge = ['-c', 'filter.lfs.smudge=', '-c', 'filter.lfs.process=', '-c', 'filter.lfs.required=false'];
  const who = ['-c', 'user.name=ops', '-c', 'user.email=ops@example.invalid', '-c', 'filter.lfs.clean=', ...noSmudge];
  await gitText([...noSmudge, 'clone', '--quiet', '--branch', 'v1.2-config-tuned', repo, work]);
  const tagAs = async (tag: string, message: string) => {
    await gitText(['add', '-A'], work);
    await gitText([...who, 'commit', '--quiet', '-m', message], work);
    await gitText([...who, 'tag', '-a', tag, '-m', message], work);
    await gitText(['push', '--quiet', repo, `refs/tags/${tag}`], work);
  };
  await writeFile(path.join(work, 'requirements.txt'), 'drilltest-pkg==1.0\n');
  await mkdir(path.join(work, 'wheels'));
  makeWheel(path.join(work, 'wheels'), 'drilltest_pkg');
  await tagAs('v3.0-wheelhouse', 'the service and its wheels');
  await rm(path.join(work, 'wheels', 'drilltest_pkg-1.0-py3-none-any.whl'));
  makeWheel(path.join(work, 'wheels'), 'unrelated_pkg');
  await tagAs('v3.1-wheelhouse-incomplete', 'a wheelhouse that lacks the service package');
  await rm(path.join(work, 'wheels'), { recursive: true });
  await tagAs('v3.2-no-wheelhouse', 'no wheels in the backup');
}, 60_000);

afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('pip and the backup’s wheelhouse', () => {
  it('a wheelhouse: pip installs from it alone, and nothing from outside the backup is listed', async () => {
    const { report, output } = await drill('wheelhouse', 'v3.0-wheelhouse');
    expect(report.steps.find((step) => step.id === 'install')?.status, output).toBe('passed');
    expect(output).toMatch(/pip installs from the backup's wheels\/ alone/);
    // From the wheelhouse pip compiles no bytecode (the service compiles what it imports, once).
    expect(output).toContain('| pip compiled 0 bytecode file(s)');
    expect(output).not.toContain(nodeWheels);
    expect(report.outsideInputs).toEqual([]);
    expect(report.verdict).toBe('passed');
  }, 120_000);

  it('a wheelhouse without the package: the install fails, though the node’s folder holds it', async () => {
    const { report, output } = await drill('incomplete', 'v3.1-wheelhouse-incomplete');
    const install = report.steps.find((step) => step.id === 'install');
    expect(install?.status, output).toBe('failed');
    expect(install?.error?.message).toMatch(/pip install --target \.pkgs -r requirements\.txt` exited with 1: .*drilltest-pkg==1\.0/);
    expect(output).not.toContain(nodeWheels);
  }, 120_000);

  it('no wheelhouse: pip uses the node’s sources, each listed as outside the backup', async () => {
    // The node says no index (PIP_NO_INDEX): pip would otherwise try the public one, unreachable here.
    const { report, output } = await drill('node', 'v3.2-no-wheelhouse', { PIP_NO_INDEX: '1' });
    // The plan's commands as written, with the node's pip: it compiles, as pip does.
    expect(output).toContain('| pip compiled 1 bytecode file(s)');
    expect(report.steps.find((step) => step.id === 'install')?.status, output).toBe('passed');
    expect(report.outsideInputs).toEqual([{ kind: 'pip-find-links', what: nodeWheels, from: '$PIP_FIND_LINKS' }]);
    expect(output).toContain(`outside the backup: pip wheel folder ${nodeWheels} ($PIP_FIND_LINKS)`);
  }, 120_000);
});
