/**
 * `whisper-drill snapshot`, the backup side, through the built CLI against the same servers as the
 * restore path: a file:// backup (its LFS store) and the HTTPS git + LFS server with Basic auth
 * (test/helpers/lfs-server.ts, uploads included). A service folder is snapshotted, then the new tag is
 * drilled; unchanged, nothing is made; changed, the next tag's drill shows the diff; refusals happen
 * before anything is pushed; a server that accepts an upload and does not keep it fails the proof,
 * naming the object, with no tag made.
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupExposureCheck } from '../../src/backup/exposure-check.js';
import { runDrill } from '../../src/core/engine.js';
import { loadPlan } from '../../src/plan/load.js';
import { readHistory } from '../../src/history/read.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { parseRemote } from '../../src/snapshot/remote.js';
import { describeRun, repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { gitText } from '../helpers/sample.js';
import { startLfsServer, type LfsServer } from '../helpers/lfs-server.js';
import { makeTestCa, type TestCa } from '../helpers/tls.js';
import { startSshd } from '../helpers/sshd.js';

let tmp = '';
let model = '';

/** A live service folder shaped like the real one, and its model where whisper.load_model("large-v3") reads it. */
async function serviceFolder(name: string): Promise<{ svc: string; model: string }> {
  const svc = path.join(tmp, name, 'Whisper-large-v3');
  await cp(path.join(repoRoot, 'fixtures', 'sample-backup'), svc, { recursive: true });
  const loaded = path.join(tmp, name, 'home', '.cache', 'whisper', 'large-v3.pt');
  await mkdir(path.dirname(loaded), { recursive: true });
  await copyFile(model, loaded);
  return { svc, model: loaded };
}

/** A service folder, an empty bare backup, and the demo plan pointed at both. */
async function backupOf(name: string): Promise<{ svc: string; model: string; repo: string; plan: string }> {
  const folder = await serviceFolder(name);
  const repo = path.join(tmp, name, 'backup.git');
  await gitText(['init', '--quiet', '--bare', repo]);
  const { file: plan } = await writeDemoPlan(path.join(tmp, name, 'plan.yaml'));
  const text = (await readFile(plan, 'utf8')).replace('repo: "builtin:sample-backup"', `repo: "file://${repo}"`);
  await writeFile(plan, `${text}backup:\n  from: ${folder.svc}\n  models: [{ from: ${folder.model}, to: models/large-v3.pt }]\n`);
  return { ...folder, repo, plan };
}

function lines(result: CliResult): Array<Record<string, unknown>> {
  return result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function tags(repo: string): Promise<string[]> {
  return (await gitText(['ls-remote', '--tags', '--refs', repo])).split('\n').filter(Boolean).map((line) => line.split('refs/tags/')[1]!).sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-snapshot-'));
  // A stand-in model of 1 MiB (the sample's recognition table, little padding): what is tested here is
  // the backup, not the bytes a real model would add.
  model = path.join(tmp, 'large-v3.pt');
  await new Promise<void>((resolve, reject) =>
    execFile('python3', [path.join(repoRoot, 'fixtures', 'model', 'make_model.py'), model, '--samples', path.join(repoRoot, 'fixtures', 'sample-backup'), '--variant', '3', '--size-mib', '1'], (error) => (error ? reject(error) : resolve())),
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// The backups below are each their own: their drills and servers run side by side.
describe.concurrent('whisper-drill snapshot', () => {
  describe.sequential('snapshot of a service folder into a file:// backup, then drills of its tags', () => {
    let repo = '';
    let svc = '';
    let plan = '';
    const reports = () => path.join(tmp, 'file', 'reports');

    beforeAll(async () => {
      ({ svc, repo, plan } = await backupOf('file'));
    });

    const snapshot = (...args: string[]) => runCli(['snapshot', '--plan', plan, '--yes', ...args], { cwd: path.join(tmp, 'file'), timeoutMs: 60_000 });
    const drill = (tag: string) => runCli(['drill', '--plan', plan, '--tag', tag, '--yes', '--report-dir', reports()], { cwd: path.join(tmp, 'file'), timeoutMs: 120_000 });

    it('snapshots the folder (the model from where it is loaded, in LFS), proves each object in the store, tags it; the drill of the tag passes', async () => {
      const made = await snapshot('--json');
      expect(made.code, describeRun(made)).toBe(0);
      const events = lines(made);
      const valid = new Ajv2020({ strict: false }).compile(JSON.parse(await readFile(path.join(repoRoot, 'drills', 'snapshot.schema.json'), 'utf8')) as object);
      for (const event of events) expect(valid(event), JSON.stringify(valid.errors)).toBe(true);
      const end = events.at(-1)!;
      expect(end).toMatchObject({ type: 'snapshot-end', exitCode: 0, objectsProven: 3 });
      const tag = end['tag'] as string;
      expect(tag).toMatch(/^v\d{8}-[0-9a-f]{7}$/);
      expect(await tags(repo)).toEqual([tag]);
      const proven = events.filter((event) => event['type'] === 'snapshot-object');
      expect(proven.map((event) => [event['path'], event['present']])).toEqual([
        ['example/silence.wav', true],
        ['example/test_cn.wav', true],
        ['models/large-v3.pt', true],
      ]);
      // The model is an LFS file of the backup, its object in the backup's store
      const pointer = await gitText(['--git-dir', repo, 'cat-file', 'blob', `${tag}:models/large-v3.pt`]);
      expect(pointer).toMatch(/^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:[0-9a-f]{64}\nsize \d+/);
      const files = (await gitText(['--git-dir', repo, 'ls-tree', '-r', '--name-only', tag])).trim().split('\n');
      expect(files).toEqual(['.gitattributes', 'app.py', 'config.yaml', 'configuration.json', 'environment.lock.yaml', 'example/silence.wav', 'example/test_cn.wav', 'models/large-v3.pt', 'requirements.txt']);

      const drilled = await drill(tag);
      expect(drilled.code, describeRun(drilled)).toBe(0);
      expect(drilled.stdout + drilled.stderr).toContain(`PASSED in`);
    }, 150_000);

    it('unchanged: no commit, no tag, exit 0, "nothing changed since"', async () => {
      const before = await tags(repo);
      const again = await snapshot();
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^nothing changed since ${before[0]} \\(\\d{4}-\\d{2}-\\d{2}\\): no commit, no tag$`, 'm'));
      expect(await tags(repo)).toEqual(before);
    });

    it('refuses a large file LFS does not track and a token in config.yaml, naming each, before anything is pushed', async () => {
      const before = await tags(repo);
      await writeFile(path.join(svc, 'example', 'calibration.bin'), Buffer.alloc(11 * 1024 * 1024, 7));
      const config = await readFile(path.join(svc, 'config.yaml'), 'utf8');
      await appendFile(path.join(svc, 'config.yaml'), `hf_token: hf_${'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh'}\n`);
      try {
        const refused = await snapshot();
        expect(refused.code, describeRun(refused)).toBe(1);
        expect(refused.stdout).toContain('SNAPSHOT FAILED: the snapshot refuses 2 files:');
        expect(refused.stdout).toContain('example/calibration.bin is 11.0 MiB, over backup.maxBlobMiB (10), and LFS does not track it: add "*.bin filter=lfs diff=lfs merge=lfs -text" (backup.lfs)');
        expect(refused.stdout).toMatch(/config\.yaml:13:\d+: found Hugging Face .*token/i);
        expect(refused.stdout).not.toContain('AbCdEfGhIjKlMnOpQrStUvWxYz');
        expect(await tags(repo)).toEqual(before);
      } finally {
        await rm(path.join(svc, 'example', 'calibration.bin'));
        await writeFile(path.join(svc, 'config.yaml'), config);
      }
    });

    it('a tag name the plan would not list is refused before anything is written (exit 2)', async () => {
      const refused = await snapshot('--tag', 'nightly-1');
      expect(refused.code, describeRun(refused)).toBe(2);
      expect(refused.stderr).toContain('the tag "nightly-1" (--tag) does not match the plan\'s snapshot.tags "v*": no drill would ever list it');
      const both = await snapshot('--archive', path.join(tmp, 'file', 'never'), '--dry-run');
      expect(both.code, describeRun(both)).toBe(2);
      expect(both.stderr).toContain('snapshot --archive writes a tar.gz, and --dry-run writes nothing: give one or the other');
    });

    it('changed config: --dry-run shows the diff and the exposure; the snapshot tags it, and its drill reports what changed since the last', async () => {
      const first = (await tags(repo))[0]!;
      await appendFile(path.join(svc, 'config.yaml'), 'patience: 2\n');
      const dry = await snapshot('--dry-run');
      expect(dry.code, describeRun(dry)).toBe(0);
      expect(dry.stdout).toMatch(/^ {2}changed config\.yaml \(279 B → 291 B, \+1 -0 lines\)$/m);
      expect(dry.stdout).toContain('      +patience: 2');
      expect(dry.stdout).toContain(`dry run: nothing committed or pushed. the live node differs from the newest backup (${first}, made today) in config.yaml (1 line)`);
      expect(await tags(repo)).toEqual([first]);

      const made = await snapshot('--tag', 'v2-patience', '--message', 'patience for noisy calls');
      expect(made.code, describeRun(made)).toBe(0);
      expect(await tags(repo)).toEqual([first, 'v2-patience'].sort());
      expect(await gitText(['--git-dir', repo, 'for-each-ref', '--format=%(contents:subject)', 'refs/tags/v2-patience'])).toBe('patience for noisy calls\n');
      // The drill of the new tag, read as the auditor reads it: what changed since the last drill of the plan
      // on this host (the first test's). In-process and up to verify, where the configuration is read.
      const record = await runDrill(
        headlessOptions(await loadPlan(plan), path.join(tmp, 'file', 'v2'), { tag: 'v2-patience', stopAfter: 'verify', reportRoot: reports(), history: await readHistory(reports(), 'demo') }),
        () => undefined,
      );
      expect(record.changes?.tag).toEqual({ from: first, to: 'v2-patience' });
      const config = record.changes?.files.find((file) => file.path === 'config.yaml');
      expect(config).toMatchObject({ change: 'changed' });
      expect(config!.diff).toMatch(/^\+ patience: 2$/m);
    }, 150_000);

    it('--sign: the tag is SSH-signed with git\'s user.signingkey, and a drill that requires a verified signature accepts it', async () => {
      const key = path.join(tmp, 'file', 'signer');
      await new Promise<void>((resolve, reject) => execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'backup', '-f', key], (error) => (error ? reject(error) : resolve())));
      const gitconfig = path.join(tmp, 'file', 'gitconfig');
      await writeFile(gitconfig, `[user]\n\tname = Backup Job\n\temail = backup@whisper.example\n\tsigningkey = ${key}\n`);
      await writeFile(path.join(tmp, 'file', 'allowed_signers'), `backup@whisper.example namespaces="git" ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
      await appendFile(path.join(svc, 'config.yaml'), 'patience: 3\n');
      const signed = await runCli(['snapshot', '--plan', plan, '--yes', '--sign', '--tag', 'v3-signed'], { cwd: path.join(tmp, 'file'), env: { GIT_CONFIG_GLOBAL: gitconfig }, timeoutMs: 60_000 });
      expect(signed.code, describeRun(signed)).toBe(0);
      expect(signed.stdout).toContain('[tag] ok: v3-signed (signed) → ');
      expect(await gitText(['--git-dir', repo, 'cat-file', 'tag', 'v3-signed'])).toContain('-----BEGIN SSH SIGNATURE-----');
      expect(await gitText(['--git-dir', repo, 'cat-file', 'tag', 'v3-signed'])).toContain('tagger Backup Job <backup@whisper.example>');

      const strict = path.join(tmp, 'file', 'strict.yaml');
      await writeFile(strict, (await readFile(plan, 'utf8')).replace('  requireSignedTag: false', `  requireSignedTag: true\n  allowedSigners: ${path.join(tmp, 'file', 'allowed_signers')}`));
      const checked = await runCli(['drill', '--plan', strict, '--tag', 'v3-signed', '--dry-run', '--yes', '--report-dir', reports()], { cwd: path.join(tmp, 'file'), timeoutMs: 60_000 });
      // A dry run restores nothing: inconclusive (3), never passed — but its snapshot step checked the signature.
      expect(checked.code, describeRun(checked)).toBe(3);
      expect(checked.stdout + checked.stderr).toMatch(/v3-signed \([0-9a-f]{12}\), 3 LFS files, [\d.]+ MiB, signature verified/);
    }, 60_000);

    it('check measures the exposure: passed while the node is what the newest tag holds, warned once it differs, failed when that tag is older than backup.maxAge', async () => {
      const loaded = await loadPlan(plan);
      const exposure = (now = new Date(), which = loaded) => backupExposureCheck({ plan: which, remote: parseRemote(which.snapshot.repo), from: svc, cacheRoot: path.join(tmp, 'file', 'cache'), now });
      expect(await exposure()).toMatchObject({ status: 'passed', measured: 'the live node is what the newest backup holds (v3-signed, made today)' });

      await appendFile(path.join(svc, 'config.yaml'), 'patience: 4\n');
      const differs = await runCli(['check', '--plan', plan, '--yes', '--report-dir', reports()], { cwd: path.join(tmp, 'file'), timeoutMs: 60_000 });
      expect(differs.code, describeRun(differs)).toBe(0);
      expect(differs.stdout + differs.stderr).toContain('Backup exposure (recovery point): the live node differs from the newest backup (v3-signed, made today) in config.yaml (1 line)');

      // A month later, with a plan that wants a tag younger than a week: failed.
      const strict = path.join(tmp, 'file', 'max-age.yaml');
      await writeFile(strict, `${await readFile(plan, 'utf8')}  maxAge: 7d\n`);
      const late = await exposure(new Date(Date.now() + 30 * 86_400_000), await loadPlan(strict));
      expect(late).toMatchObject({ id: 'backup-exposure', status: 'failed', measured: 'the live node differs from the newest backup (v3-signed, 30 days old) in config.yaml (1 line)', fix: `whisper-drill snapshot --plan ${strict}` });
    }, 120_000);
  });

  describe('a service folder with a .gitignore of its own', () => {
    it('leaves nothing it gathered out of the backup', async () => {
      const { svc, plan } = await backupOf('ignored');
      await writeFile(path.join(svc, 'example', '.gitignore'), '*.local\n');
      await writeFile(path.join(svc, 'example', 'prompts.local'), 'initial prompt: 你好\n');
      const made = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v1-ignored'], { cwd: path.join(tmp, 'ignored'), timeoutMs: 60_000 });
      expect(made.code, describeRun(made)).toBe(0);
      const files = (await gitText(['--git-dir', path.join(tmp, 'ignored', 'backup.git'), 'ls-tree', '-r', '--name-only', 'v1-ignored'])).trim().split('\n');
      expect(files).toEqual(expect.arrayContaining(['example/.gitignore', 'example/prompts.local']));
    });
  });

  describe('a service that loads its model by name, from ~/.cache/whisper', () => {
    it('the snapshot takes the model from there; setup links the restored file there in its scratch HOME, the proof sees it in use, and with --yes it is linked in the node\'s own home', async () => {
      const folder = await serviceFolder('by-name');
      const home = path.join(tmp, 'by-name', 'home');
      const config = path.join(folder.svc, 'config.yaml');
      await writeFile(config, (await readFile(config, 'utf8')).replace('model_path: models/large-v3.pt', 'model_path: ~/.cache/whisper/large-v3.pt'));
      const repo = path.join(tmp, 'by-name', 'backup.git');
      await gitText(['init', '--quiet', '--bare', repo]);
      const { file: plan } = await writeDemoPlan(path.join(tmp, 'by-name', 'plan.yaml'));
      const text = (await readFile(plan, 'utf8')).replace('repo: "builtin:sample-backup"', `repo: "file://${repo}"`);
      await writeFile(plan, `${text}backup:\n  from: ${folder.svc}\n  models: [{ from: ~/.cache/whisper/large-v3.pt, to: models/large-v3.pt }]\n`);
      const made = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v1-by-name'], { cwd: path.join(tmp, 'by-name'), env: { HOME: home }, timeoutMs: 60_000 });
      expect(made.code, describeRun(made)).toBe(0);
      expect(made.stdout).toMatch(/^ {2}added {3}models\/large-v3\.pt \([\d.]+ MiB, LFS\)$/m);
      // setup --yes on a new node (setup is a drill that keeps the service): its service runs with a HOME
      // of the drill's own, where the restored model is linked — the node's own older download cannot
      // stand in — and once it passed, the node's own home gets the link too; what was there is moved
      // aside, never deleted.
      const nodeHome = path.join(tmp, 'by-name', 'node-home');
      await mkdir(path.join(nodeHome, '.cache', 'whisper'), { recursive: true });
      await writeFile(path.join(nodeHome, '.cache', 'whisper', 'large-v3.pt'), 'an older download\n');
      const dir = path.join(tmp, 'by-name', 'node');
      const setup = await runCli(['setup', '--plan', plan, '--dir', dir, '--tag', 'v1-by-name', '--yes', '--report-dir', path.join(tmp, 'by-name', 'reports')], { cwd: path.join(tmp, 'by-name'), env: { HOME: nodeHome }, timeoutMs: 120_000 });
      try {
        expect(setup.code, describeRun(setup)).toBe(0);
        expect(setup.stdout + setup.stderr).toMatch(/restored model in use: models\/large-v3\.pt/);
        expect(await readlink(path.join(nodeHome, '.cache', 'whisper', 'large-v3.pt'))).toBe(path.join(dir, 'models', 'large-v3.pt'));
        expect(setup.stdout + setup.stderr).toMatch(/~\/\.cache\/whisper\/large-v3\.pt is now the restored models\/large-v3\.pt \(a link in \S+\); what was there is kept as \S+\.before-setup-/);
        const aside = (await readdir(path.join(nodeHome, '.cache', 'whisper'))).filter((name) => name.includes('.before-setup-'));
        expect(await readFile(path.join(nodeHome, '.cache', 'whisper', aside[0]!), 'utf8')).toBe('an older download\n');
      } finally {
        const stopped = await runCli(['stop', '--dir', dir], { cwd: tmp, timeoutMs: 30_000 });
        expect(stopped.code, describeRun(stopped)).toBe(0);
      }
    }, 120_000);
  });

  describe('snapshot over HTTPS with credentials: pushed through the LFS Batch API, proven by a ranged read of each object', () => {
    const USER = 'backup-writer';
    const SECRET = 'Snap-S3cret-9Z';
    let ca: TestCa;
    let server: LfsServer;
    let plan = '';
    let svc = '';
    let served = '';
    const env = () => ({ SNAP_USER: USER, SNAP_TOKEN: SECRET, GIT_SSL_CAINFO: ca.caFile, HOME: path.join(tmp, 'https', 'home') });

    beforeAll(async () => {
      ca = makeTestCa(tmp, 'snapshot');
      served = path.join(tmp, 'https', 'served');
      await gitText(['init', '--quiet', '--bare', path.join(served, 'backup.git')]);
      server = await startLfsServer({ root: served, username: USER, password: SECRET, tls: { git: ca.server, storage: ca.server } });
      const folder = await serviceFolder('https');
      svc = folder.svc;
      plan = path.join(tmp, 'https', 'plan.yaml');
      await writeFile(
        plan,
        YAML.stringify({
          name: 'snapped',
          snapshot: { repo: `${server.url}/backup.git`, tags: 'v*', auth: { usernameEnv: 'SNAP_USER', passwordEnv: 'SNAP_TOKEN' } },
          environment: { python: { command: 'python3' } },
          service: { start: 'true', url: 'http://127.0.0.1:9' },
          backup: { from: svc, models: [{ from: folder.model, to: 'models/large-v3.pt' }] },
        }),
      );
    });
    afterAll(async () => {
      await server.stop();
    });

    it('uploads the objects, proves each on the server, tags; a server that keeps no upload fails the proof naming the object, and no tag is made', async () => {
      const made = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v1-https'], { cwd: tmp, env: env(), timeoutMs: 60_000 });
      expect(made.code, describeRun(made)).toBe(0);
      expect(made.stdout).toContain('[prove] ok: 3 LFS objects on ');
      // The proof: one ranged read of the last byte of each object, after its upload
      const reads = server.requests.filter((r) => r.port === 'storage' && r.method === 'GET');
      expect(reads).toHaveLength(3);
      for (const read of reads) expect(read.headers.range).toMatch(/^bytes=\d+-$/);
      expect(server.requests.filter((r) => r.port === 'storage' && r.method === 'PUT')).toHaveLength(3);

      // The model changes; the server answers its upload 200 and throws it away.
      const loaded = path.join(tmp, 'https', 'home', '.cache', 'whisper', 'large-v3.pt');
      await appendFile(loaded, Buffer.from('re-exported'));
      server.faults.discardUploads = true;
      const lost = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v2-lost', '--json'], { cwd: tmp, env: env(), timeoutMs: 60_000 });
      expect(lost.code, describeRun(lost)).toBe(1);
      const events = lines(lost);
      const missing = events.filter((event) => event['type'] === 'snapshot-object' && event['present'] === false);
      expect(missing.map((event) => [event['path'], event['why']])).toEqual([['models/large-v3.pt', 'the server answered 404: Object does not exist']]);
      expect(events.at(-1)).toMatchObject({ type: 'snapshot-end', exitCode: 1 });
      expect(String(events.at(-1)!['error'])).toMatch(/^the push did not land: models\/large-v3\.pt \([0-9a-f]{12}…, \d+ bytes\): the server answered 404: Object does not exist$/);
      expect(await tags(path.join(served, 'backup.git'))).toEqual(['v1-https']);
      // The server keeps uploads again: the next snapshot pushes what the commit still lacks, proves it, tags it.
      server.faults.discardUploads = false;
      const fixed = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v2-lost'], { cwd: tmp, env: env(), timeoutMs: 60_000 });
      expect(fixed.code, describeRun(fixed)).toBe(0);
      expect(fixed.stdout).toContain('[prove] ok: 3 LFS objects on ');
      expect(await tags(path.join(served, 'backup.git'))).toEqual(['v1-https', 'v2-lost']);
      expect(made.stdout + made.stderr + lost.stdout + lost.stderr + fixed.stdout + fixed.stderr).not.toContain(SECRET);
    }, 120_000);
  });

  describe('snapshot over ssh (git-receive-pack, and git-lfs-authenticate naming the LFS server)', () => {
    it('pushes over ssh, uploads the objects to the server the host names, proves them, tags', async () => {
      const root = path.join(tmp, 'ssh', 'served');
      await gitText(['init', '--quiet', '--bare', path.join(root, 'backup.git')]);
      const lfs = await startLfsServer({ root, username: 'ssh-lfs', password: 'ssh-issued-token-3f' });
      const sshd = await startSshd(path.join(tmp, 'ssh', 'sshd'), { root, lfsHref: (repo) => `${lfs.url}/${repo}/info/lfs`, lfsHeader: { Authorization: `Basic ${Buffer.from('ssh-lfs:ssh-issued-token-3f').toString('base64')}` } });
      try {
        const folder = await serviceFolder('ssh');
        const plan = path.join(tmp, 'ssh', 'plan.yaml');
        await writeFile(
          plan,
          YAML.stringify({
            name: 'over-ssh',
            snapshot: { repo: `ssh://${os.userInfo().username}@127.0.0.1:${sshd.port}/backup.git`, tags: 'v*' },
            environment: { python: { command: 'python3' } },
            service: { start: 'true', url: 'http://127.0.0.1:9' },
            backup: { from: folder.svc, models: [{ from: folder.model, to: 'models/large-v3.pt' }] },
          }),
        );
        const made = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v1-ssh'], { cwd: path.join(tmp, 'ssh'), env: { GIT_SSH_COMMAND: sshd.sshCommand(true) }, timeoutMs: 60_000 });
        expect(made.code, describeRun(made)).toBe(0);
        expect(made.stdout).toContain('[prove] ok: 3 LFS objects on ssh://');
        expect(await tags(path.join(root, 'backup.git'))).toEqual(['v1-ssh']);
        expect(lfs.requests.filter((r) => r.port === 'storage' && r.method === 'PUT')).toHaveLength(3);
      } finally {
        await sshd.stop();
        await lfs.stop();
      }
    }, 60_000);
  });

  describe('the cold tier', () => {
    it('--archive DIR: the cold tier of the same files, its manifest naming the tag the node is; a drill reads it, signed, every file verified, the same as that tag\'s', async () => {
      const { repo, plan } = await backupOf('cold');
      const hot = await runCli(['snapshot', '--plan', plan, '--yes', '--tag', 'v1-hot'], { cwd: path.join(tmp, 'cold'), timeoutMs: 60_000 });
      expect(hot.code, describeRun(hot)).toBe(0);
      const newest = 'v1-hot';
      const cold = path.join(tmp, 'cold', 'archives');
      // --sign: with git's user.signingkey (its public half named, as git users write it)
      const key = path.join(tmp, 'cold', 'signer');
      await new Promise<void>((resolve, reject) => execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cold', '-f', key], (error) => (error ? reject(error) : resolve())));
      const gitconfig = path.join(tmp, 'cold', 'gitconfig');
      await writeFile(gitconfig, `[user]\n\tsigningkey = ${key}.pub\n`);
      const signers = path.join(tmp, 'cold', 'allowed_signers');
      await writeFile(signers, `archivist@whisper.example namespaces="file" ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
      await writeFile(plan, (await readFile(plan, 'utf8')).replace('  requireSignedTag: false', `  requireSignedTag: false\n  allowedSigners: ${signers}`));
      const made = await runCli(['snapshot', '--plan', plan, '--yes', '--sign', '--archive', cold, '--json'], { cwd: path.join(tmp, 'cold'), env: { GIT_CONFIG_GLOBAL: gitconfig }, timeoutMs: 60_000 });
      expect(made.code, describeRun(made)).toBe(0);
      const end = lines(made).at(-1)!;
      expect(end).toMatchObject({ type: 'snapshot-end', exitCode: 0, files: 7, archive: { tag: newest, signature: expect.stringMatching(/\.tar\.gz\.sig$/) } });
      const archive = (end['archive'] as { file: string }).file;
      expect(path.dirname(archive)).toBe(cold);
      expect(path.basename(archive)).toMatch(/^whisper-backup-\d{8}\.tar\.gz$/);
      expect(await readFile(`${archive}.sha256`, 'utf8')).toBe(`${(end['archive'] as { sha256: string }).sha256}  ${path.basename(archive)}\n`);
      expect(await tags(repo)).toEqual([newest]);

      // What the archive is for, read as a drill reads it (in-process, up to verify: install, start and assert
      // would test the service, not the archive): the .sha256 and the signer, every byte extracted and hashed,
      // every file against the manifest, and the model against the hot tag's LFS object.
      const record = await runDrill(headlessOptions(await loadPlan(plan), path.join(tmp, 'cold', 'drill'), { archive, stopAfter: 'verify' }), () => undefined);
      const step = (id: string) => record.steps.find((s) => s.id === id)!;
      expect(step('snapshot').summary).toContain('signature by archivist@whisper.example, checked as it is read');
      expect(step('fetch').status, step('fetch').summary).toBe('passed');
      expect(step('verify')).toMatchObject({ status: 'passed' });
      expect(record.snapshot.archive).toMatchObject({ manifest: true, claimsTag: newest, hotTier: { status: 'same' } });
      expect(record.snapshot.archive!.hotTier!.detail).toContain(`holds the same example/silence.wav, example/test_cn.wav, models/large-v3.pt as ${newest}`);
    }, 120_000);
  });
});
