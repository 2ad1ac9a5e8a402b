/**
 * The operators' anti-pattern, exactly, through the built CLI: a tag whose app.py loads its model as
 * whisper.load_model("large-v3") does — from ~/.cache/whisper/large-v3.pt — and never opens the
 * restored models/large-v3.pt. The HOME the drill is given is a temp dir holding a good copy of the
 * model in that cache (never the machine's own HOME).
 *  - isolated (the default): the service finds no cache and does not start; the drill FAILS, naming
 *    the restored file as never opened and the cache as the likely reason;
 *  - isolation.home: host: the service starts and transcribes correctly on the cached copy — the false
 *    PASS of before — and the drill FAILS on "restored model in use", naming the cache path it read.
 * And the sample as it is (app.py loads models/large-v3.pt): PASSES with the provenance of that file.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { copyBareRepo, gitText, lfsObjectFile, sampleBackup } from '../helpers/sample.js';

const TAG = 'v2.0-loads-from-cache';
let tmp: string;
let home: string;
let repo: string;
let cachedCopy: string;

interface Report {
  readonly verdict: string;
  readonly steps: Array<{ id: string; status: string; error?: { message: string; hint?: string } }>;
  readonly assertions: Array<{ name: string; status: string; detail: string }>;
  readonly provenance: { method: string; files: Array<{ path: string; openedBy: Array<{ pid: number; command: string }> }>; elsewhere: Array<{ path: string }> } | null;
  readonly isolation: { home: string } | null;
}

/** The sample's v1.2 with an app.py that loads the model by name, from the user's cache. */
async function tagLoadingFromCache(): Promise<void> {
  const sample = await sampleBackup();
  repo = await copyBareRepo(sample.repoDir, path.join(tmp, 'backup.git'));
  const work = path.join(tmp, 'work');
  await gitText(['-c', 'filter.lfs.smudge=', '-c', 'filter.lfs.process=', '-c', 'filter.lfs.required=false', 'clone', '--quiet', '--branch', 'v1.2-config-tuned', repo, work]);
  const app = path.join(work, 'app.py');
  const text = await readFile(app, 'utf8');
  const loadsByPath = /model_path = os\.path\.join\(HERE, .*\n/;
  expect(text).toMatch(loadsByPath);
  // whisper.load_model("large-v3"): download_root defaults to ~/.cache/whisper.
  await writeFile(app, text.replace(loadsByPath, 'model_path = os.path.expanduser(os.path.join("~", ".cache", "whisper", "%s.pt" % model_name))\n'));
  const who = ['-c', 'user.name=ops', '-c', 'user.email=ops@example.invalid'];
  await gitText([...who, '-c', 'filter.lfs.clean=', '-c', 'filter.lfs.process=', '-c', 'filter.lfs.required=false', 'commit', '--quiet', '-am', 'load the model by name'], work);
  await gitText([...who, 'tag', '-a', TAG, '-m', 'loads its model from the cache'], work);
  await gitText(['push', '--quiet', repo, `refs/tags/${TAG}`], work);
  // A good copy of the model, where load_model looks: the bytes of the backup's own LFS object.
  const pointer = await gitText(['show', `${TAG}:models/large-v3.pt`], work);
  const oid = /oid sha256:([0-9a-f]{64})/.exec(pointer)![1]!;
  cachedCopy = path.join(home, '.cache', 'whisper', 'large-v3.pt');
  await mkdir(path.dirname(cachedCopy), { recursive: true });
  await copyFile(lfsObjectFile(repo, oid), cachedCopy);
}

async function drill(name: string, tag: string, extraYaml = ''): Promise<Report> {
  const { file } = await writeDemoPlan(path.join(tmp, `${name}.yaml`), extraYaml);
  // No venv: the stand-in needs only python3's standard library, and the test is about start and assert.
  const plan = (await readFile(file, 'utf8'))
    .replace('repo: "builtin:sample-backup"', `repo: "file://${repo}"`)
    .replace(/install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/, 'install:\n  commands: []\n')
    .replace(/ {2}start: \.venv\/bin\/python /, '  start: python3 ');
  await writeFile(file, plan);
  const reports = path.join(tmp, `reports-${name}`);
  const result = await runCli(['drill', '--plan', file, '--tag', tag, '--yes', '--report-dir', reports], { cwd: tmp, env: { HOME: home, GRADIO_TEMP_DIR: path.join(tmp, 'uploads') }, timeoutMs: 90_000 });
  const folder = /report: (.*)\/report\.md/.exec(result.stderr)?.[1];
  expect(folder, describeRun(result)).toBeDefined();
  return JSON.parse(await readFile(path.join(folder!, 'report.json'), 'utf8')) as Report;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-provenance-'));
  home = path.join(tmp, 'home');
  await tagLoadingFromCache();
}, 60_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the restored model proven in use', () => {
  it('isolated: a service that loads its model from ~/.cache fails to start, and the drill says the restored file was never opened', async () => {
    const report = await drill('isolated', TAG);
    expect(report.verdict).toBe('failed');
    const start = report.steps.find((step) => step.id === 'start');
    expect(start?.status).toBe('failed');
    expect(start?.error?.hint).toMatch(/^the service never opened the restored models\/large-v3\.pt \(the drill gave it an empty HOME and caches\): .*~\/\.cache\/whisper/);
    expect(report.provenance?.files).toEqual([expect.objectContaining({ path: 'models/large-v3.pt', openedBy: [] })]);
    expect(report.isolation?.home).toBe('scratch');
  }, 120_000);

  it('isolation.home: host: the cached copy stands in, transcribes correctly, and the drill fails naming the cache path it read', async () => {
    const report = await drill('host', TAG, 'isolation:\n  home: host\n');
    expect(report.verdict).toBe('failed');
    expect(report.steps.find((step) => step.id === 'start')?.status).toBe('passed');
    expect(report.assertions.find((a) => a.name === 'mandarin sample')?.status).toBe('passed');
    const proof = report.assertions.find((a) => a.name === 'restored model in use');
    expect(proof?.status).toBe('failed');
    expect(proof?.detail).toMatch(new RegExp(`^the service read ${cachedCopy.replace(/[.]/g, '\\.')}, not the restored models/large-v3\\.pt`));
    expect(report.provenance?.elsewhere.map((copy) => copy.path)).toEqual([cachedCopy]);
  }, 120_000);

  it('the sample as backed up (app.py loads models/large-v3.pt): passes, the restored file opened by the service', async () => {
    const report = await drill('sample', 'v1.2-config-tuned');
    expect(report.verdict).toBe('passed');
    const proof = report.assertions.find((a) => a.name === 'restored model in use');
    expect(proof?.status).toBe('passed');
    expect(report.provenance?.method).toBe(process.getuid?.() === 0 ? 'fanotify' : 'proc-sampling');
    expect(report.provenance?.files).toEqual([expect.objectContaining({ path: 'models/large-v3.pt', openedBy: [expect.objectContaining({ command: expect.stringContaining('app.py') })] })]);
    expect(report.provenance?.elsewhere).toEqual([]);
  }, 120_000);
});
