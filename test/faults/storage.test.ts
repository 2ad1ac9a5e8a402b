/**
 * Faults of the backup's storage: the LFS server (a real `git http-backend` and Batch API on loopback,
 * test/helpers/lfs-server.ts) answering wrongly, dropping or stalling, and the repository's own object
 * store damaged. Each drill stops after verify: the fault is in what arrives, not in the service.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import YAML from 'yaml';
import { runDrill } from '../../src/core/engine.js';
import type { DrillRecord } from '../../src/model/record.js';
import { parsePlan } from '../../src/plan/load.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { startLfsServer, type Faults } from '../helpers/lfs-server.js';
import { copyBareRepo, gitText, lfsObjectFile, sampleBackup } from '../helpers/sample.js';
import { expectFailure, fault, type Scene } from './harness.js';

const USER = 'drill-bot';
const SECRET = 'glpat-Zq8x3Vt1s3cr3tT0k3n';
const auth = { usernameEnv: 'BACKUP_USER', passwordEnv: 'BACKUP_TOKEN' };
const credentials = { BACKUP_USER: USER, BACKUP_TOKEN: SECRET };

/** git-lfs's own settings, through git's environment. */
function gitConfig(settings: Record<string, string>): Record<string, string> {
  const entries = Object.entries(settings);
  return Object.fromEntries([['GIT_CONFIG_COUNT', String(entries.length)], ...entries.flatMap(([key, value], i) => [[`GIT_CONFIG_KEY_${i}`, key], [`GIT_CONFIG_VALUE_${i}`, value]])]);
}
const fewRetries = (retries: number) => gitConfig({ 'lfs.transfer.maxretries': String(retries), 'lfs.transfer.maxretrydelay': '0' });

/** The sample served over HTTP with `faults`; stopped when the case ends. */
async function serve(scene: Scene, faults: Faults = {}): Promise<string> {
  const sample = await sampleBackup();
  const server = await startLfsServer({ root: path.dirname(sample.repoDir), username: USER, password: SECRET, faults });
  scene.defer(() => server.stop());
  return `${server.url}/${path.basename(sample.repoDir)}`;
}

async function drill(scene: Scene, snapshot: Record<string, unknown>, env: Record<string, string> = {}, tag = 'v1.2-config-tuned'): Promise<DrillRecord> {
  const plan = parsePlan(YAML.stringify({ name: 'storage-fault', snapshot, service: { start: 'true', url: 'http://127.0.0.1:9' } }), path.join(scene.dir, 'plan.yaml'));
  return runDrill(headlessOptions(plan, scene.dir, { tag, env: { HOME: scene.dir, ...env }, stopAfter: 'verify', save: writeOutputs }), () => undefined);
}

async function modelOid(): Promise<string> {
  const sample = await sampleBackup();
  const pointer = await gitText(['--git-dir', sample.repoDir, 'show', 'v1.2-config-tuned:models/large-v3.pt']);
  return /^oid sha256:([0-9a-f]{64})$/m.exec(pointer)![1]!;
}

describe('the LFS server', () => {
  fault('storage', 'serves an object corrupt — verify names the file and both hashes; the pointer is not replaced', async (scene) => {
    const oid = await modelOid();
    const url = await serve(scene, { corrupt: new Set([oid]) });
    const record = await drill(scene, { repo: url, auth }, credentials);
    expectFailure(record, { verdict: 'failed', step: 'verify', message: new RegExp(`models/large-v3\\.pt: still an LFS pointer, its content never arrived; the remote's object hashes to sha256 [0-9a-f]{64}, expected ${oid} \\(refused, not written\\)`) });
  });

  fault('storage', 'does not have an object (404 in the batch answer) — fetch names the oid and the server\'s words', async (scene) => {
    const oid = await modelOid();
    const url = await serve(scene, { omit: new Set([oid]) });
    const record = await drill(scene, { repo: url, auth }, credentials);
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: new RegExp(`missing 1 LFS object\\(s\\): ${oid} \\(the server answered 404: Object does not exist\\)`), hint: /git lfs push --all/ });
  });

  fault('storage', 'closes the connection mid-object, every time — fetch names the object, the bytes received, the last answer', async (scene) => {
    const url = await serve(scene, { drop: { afterBytes: 1024 * 1024, times: 100 } });
    const record = await drill(scene, { repo: url, auth }, { ...credentials, ...fewRetries(2) });
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: /^LFS object [0-9a-f]{64} \(\d+ bytes\): 1048576 bytes received from http:\/\/127\.0\.0\.1:\d+\/.+, then connection lost/ });
  });

  fault('storage', 'announces a Content-Length longer than the object and closes after its last byte (as a proxy that closed early looks) — every byte is there: no Range is asked past the end (HTTP 416), the sha256 decides, and it proves the object', async (scene) => {
    const url = await serve(scene, { lengthOverstatedBy: 4096 });
    const record = await drill(scene, { repo: url, auth }, { ...credentials, ...fewRetries(1) });
    expect(record.steps.find((s) => s.id === 'fetch'), JSON.stringify(record.steps.map((s) => [s.id, s.status, s.error?.message]))).toMatchObject({ status: 'passed' });
    expect(record.steps.find((s) => s.id === 'verify')).toMatchObject({ status: 'passed' });
    expect(record.lfs.files.length).toBeGreaterThan(0);
    expect(record.lfs.files.every((file) => file.verified)).toBe(true);
  });

  fault('storage', 'stalls mid-body, the connection open and silent — given up after lfs.activitytimeout, named', async (scene) => {
    const url = await serve(scene, { stallAfterBytes: 512 * 1024 });
    const record = await drill(scene, { repo: url, auth }, { ...credentials, ...gitConfig({ 'lfs.transfer.maxretries': '1', 'lfs.transfer.maxretrydelay': '0', 'lfs.activitytimeout': '1' }) });
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: /524288 bytes received from .+, then connection lost: no data from 127\.0\.0\.1:\d+ for 1 s/ });
  });

  fault('storage', 'answers the batch with 500 forever — fetch gives up after its retries, naming the status', async (scene) => {
    const url = await serve(scene, { batchStatuses: Array(20).fill(500) });
    const record = await drill(scene, { repo: url, auth }, { ...credentials, ...fewRetries(2) });
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: /answered HTTP 500/ });
  });

  fault('storage', 'answers the batch with 429 forever — fetch gives up after its retries, naming the status', async (scene) => {
    const url = await serve(scene, { batchStatuses: Array(20).fill(429) });
    const record = await drill(scene, { repo: url, auth }, { ...credentials, ...fewRetries(2) });
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: /answered HTTP 429/ });
  });

  fault('storage', 'refuses the batch (403) — fetch fails at once, naming the status and what to do', async (scene) => {
    const url = await serve(scene, { batchStatuses: [403] });
    const record = await drill(scene, { repo: url, auth }, credentials);
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: /answered HTTP 403 \(access denied\)/, hint: /./ });
  });

  fault('storage', 'has no LFS endpoint for the repository (404) — fetch fails at once, naming it', async (scene) => {
    const url = await serve(scene, { batchStatuses: [404] });
    const record = await drill(scene, { repo: url, auth }, credentials);
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: /answered HTTP 404 \(no such repository or LFS endpoint\)/ });
  });
});

describe('the repository\'s own object store (file://)', () => {
  async function damagedCopy(scene: Scene, damage: (object: string) => Promise<void>): Promise<string> {
    const sample = await sampleBackup();
    const copy = await copyBareRepo(sample.repoDir, path.join(scene.dir, 'backup.git'));
    await damage(lfsObjectFile(copy, await modelOid()));
    return `file://${copy}`;
  }

  fault('storage', 'holds the model corrupt (the sample\'s v1.1-broken-model) — verify names the file and both hashes', async (scene) => {
    const sample = await sampleBackup();
    const record = await drill(scene, { repo: sample.url }, {}, 'v1.1-broken-model');
    expectFailure(record, { verdict: 'failed', step: 'verify', message: /models\/large-v3\.pt: still an LFS pointer, its content never arrived; the remote's object hashes to sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(refused, not written\)/ });
  });

  fault('storage', 'lost the model object — fetch names the oid missing from the store', async (scene) => {
    const url = await damagedCopy(scene, (object) => rm(object));
    const record = await drill(scene, { repo: url });
    expectFailure(record, { verdict: 'failed', step: 'fetch', message: new RegExp(`is missing 1 LFS object\\(s\\): ${await modelOid()} \\(not in `) });
  });

  fault('storage', 'holds the model truncated — verify names the file and what the stored object hashes to; nothing half-written is placed', async (scene) => {
    const url = await damagedCopy(scene, async (object) => {
      await chmod(object, 0o644);
      await truncate(object, 1000);
    });
    const record = await drill(scene, { repo: url });
    expectFailure(record, { verdict: 'failed', step: 'verify', message: /models\/large-v3\.pt: still an LFS pointer, its content never arrived; the remote's object hashes to sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(refused, not written\)/ });
  });

  fault('storage', 'a stale .git/index.lock in the restored tree (an interrupted git) — verify names the lock', async (scene) => {
    // A git that leaves its index lock behind after the clone, as one killed mid-checkout does.
    const bin = path.join(scene.dir, 'bin');
    await mkdir(bin);
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    await writeFile(path.join(bin, 'git'), `#!/bin/sh\n"${realGit}" "$@"\nstatus=$?\ncase " $* " in *" clone "*) for last; do :; done; touch "$last/.git/index.lock";; esac\nexit $status\n`, { mode: 0o755 });
    const sample = await sampleBackup();
    const record = await drill(scene, { repo: sample.url }, { PATH: `${bin}:${process.env['PATH']}` });
    expectFailure(record, { verdict: 'failed', step: 'verify', message: /^stale .*\/\.git\/index\.lock: an interrupted git command left the index locked$/, hint: /remove .*index\.lock/ });
  });
});

