/**
 * Drills of the sample backup over ssh, against a loopback sshd whose forced command serves
 * git-upload-pack and git-lfs-authenticate (as GitLab and Gitea do); the LFS objects then come over
 * the Batch API the authenticate answer names. An unknown host key is refused, naming its fingerprint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadPlan } from '../../src/plan/load.js';
import { repoRoot } from '../helpers/cli.js';
import { auditBackup } from '../../src/audit/audit.js';
import { runDrill } from '../../src/core/engine.js';
import type { DrillRecord } from '../../src/model/record.js';
import { parsePlan } from '../../src/plan/load.js';
import { parseRemote } from '../../src/snapshot/remote.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { startLfsServer, type LfsServer } from '../helpers/lfs-server.js';
import { sampleBackup } from '../helpers/sample.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

/** The demo plan: what a drill of the sample reads (requirements.txt, the audio, the model). */
const demoPlan = () => loadPlan(path.join(repoRoot, 'drills', 'demo.yaml'));

const USER = 'lfs-token-user';
const SECRET = 'ssh-issued-lfs-token-91ac';

let tmp = '';
let server: LfsServer;
let sshd: Sshd;
let repoName = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-ssh-'));
  const sample = await sampleBackup();
  repoName = path.basename(sample.repoDir);
  const root = path.dirname(sample.repoDir);
  server = await startLfsServer({ root, username: USER, password: SECRET });
  sshd = await startSshd(path.join(tmp, 'sshd'), {
    root,
    lfsHref: (repo) => `${server.url}/${repo}/info/lfs`,
    lfsHeader: { Authorization: `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}` },
  });
});

afterAll(async () => {
  await sshd?.stop();
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

async function drill(sshCommand: string): Promise<DrillRecord> {
  const dir = await mkdtemp(path.join(tmp, 'run-'));
  const repo = `ssh://${os.userInfo().username}@127.0.0.1:${sshd.port}/${repoName}`;
  const plan = parsePlan(YAML.stringify({ name: 'ssh-drill', snapshot: { repo }, service: { start: 'true', url: 'http://127.0.0.1:9' } }), path.join(dir, 'plan.yaml'));
  return runDrill(headlessOptions(plan, dir, { tag: 'v1.2-config-tuned', env: { GIT_SSH_COMMAND: sshCommand }, stopAfter: 'verify' }), () => undefined);
}

describe('an ssh remote', () => {
  it('clones over ssh and fetches the LFS objects from the endpoint git-lfs-authenticate names', async () => {
    const record = await drill(sshd.sshCommand(true));
    const fetch = record.steps.find((s) => s.id === 'fetch');
    expect(fetch?.status, JSON.stringify(record.steps)).toBe('passed');
    expect(fetch?.summary).toMatch(/over the LFS Batch API \(ssh\)/);
    expect(record.steps.find((s) => s.id === 'verify')?.status).toBe('passed');
    expect(record.lfs.files.every((f) => f.verified)).toBe(true);
    // The batch request carried the header the ssh server handed out; the token stays out of the record.
    expect(server.requests.some((r) => r.path.endsWith('/info/lfs/objects/batch') && r.headers.authorization?.startsWith('Basic '))).toBe(true);
    expect(JSON.stringify(record)).not.toContain(SECRET);
  });

  it('is audited the same way: every tag restorable, each object asked of the endpoint git-lfs-authenticate names', async () => {
    const remote = parseRemote(`ssh://${os.userInfo().username}@127.0.0.1:${sshd.port}/${repoName}`);
    const before = server.requests.length;
    const result = await auditBackup({ plan: await demoPlan(), remote, pattern: 'v*', cacheRoot: path.join(tmp, 'audit-cache'), history: [], env: { GIT_SSH_COMMAND: sshd.sshCommand(true) } });
    expect(result.source).toBe('server');
    expect(result.rows.map((row) => [row.tag, row.restorable])).toEqual([
      ['v1.3-signed-release', true],
      ['v1.2-config-tuned', true],
      ['v1.1-broken-model', true],
      ['v1.0-model-large-v3', true],
    ]);
    const asked = server.requests.slice(before);
    expect(asked.filter((r) => r.path.endsWith('/info/lfs/objects/batch'))).toHaveLength(1);
    expect(asked.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toHaveLength(result.objects);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('refuses a host key it does not know, naming its fingerprint and how to trust it', async () => {
    const record = await drill(sshd.sshCommand(false));
    const snapshot = record.steps.find((s) => s.id === 'snapshot');
    expect(snapshot?.status).toBe('failed');
    const sha = /SHA256:\S+/.exec(sshd.fingerprint)![0];
    expect(snapshot?.error?.message).toContain(`the ssh host key of [127.0.0.1]:${sshd.port} is not known`);
    expect(snapshot?.error?.message).toContain(sha);
    expect(snapshot?.error?.message).toContain('It was not accepted.');
    expect(snapshot?.error?.hint).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ~/.ssh/known_hosts`);
  });
});

describe('remotes as operators write them', () => {
  it('parses scp-like, ssh://, https with credentials, and plain paths', () => {
    expect(parseRemote('git@gitlab.example:ops/whisper-backup.git')).toMatchObject({ kind: 'ssh', url: 'git@gitlab.example:ops/whisper-backup.git', ssh: { user: 'git', host: 'gitlab.example', path: 'ops/whisper-backup.git' } });
    expect(parseRemote('ssh://git@gitea.example:2222/ops/backup.git')).toMatchObject({ kind: 'ssh', ssh: { user: 'git', host: 'gitea.example', port: 2222, path: 'ops/backup.git' } });
    const https = parseRemote('https://bot:s3cret-token@git.example/ops/backup.git');
    expect(https).toMatchObject({ kind: 'http', url: 'https://git.example/ops/backup.git', credentials: { username: 'bot', password: 's3cret-token' } });
    expect(https.display).not.toContain('s3cret-token');
    expect(parseRemote('/srv/backups/whisper.git')).toMatchObject({ kind: 'file', url: 'file:///srv/backups/whisper.git', dir: '/srv/backups/whisper.git' });
    expect(parseRemote('https://git.example/b.git', { tokenEnv: 'T' }, { T: 'tok-1234' }).credentials).toEqual({ username: 'oauth2', password: 'tok-1234' });
  });
});
