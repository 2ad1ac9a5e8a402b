/**
 * Where an archive is read from: over HTTPS as the restore path reaches its server (git's CA list,
 * credentials from git's credential helper after a 401, never in argv), and its SSH signature: who
 * signed it, and whether the bytes read are what was signed.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArchive } from '../../src/archive/create.js';
import { findSigner, verifyWhileReading, writeSignature } from '../../src/archive/signature.js';
import { ArchiveServer, archiveLocation, expectedSha256, openArchive, sidecar } from '../../src/archive/source.js';
import { makeTestCa } from '../helpers/tls.js';

let dir: string;
let archive: string;
let allowedSigners: string;
let server: https.Server;
let base: string;
let caFile: string;
const asked: Array<{ path: string; authorization?: string }> = [];
const PASSWORD = 'cold-tier-pw-91c4';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-archive-source-'));
  const root = path.join(dir, 'service');
  await mkdir(root);
  await writeFile(path.join(root, 'app.py'), 'print("hi")\n');
  const key = path.join(dir, 'signer');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ops', '-f', key]);
  allowedSigners = path.join(dir, 'allowed_signers');
  await writeFile(allowedSigners, `ops@whisper.example namespaces="file" ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
  archive = (await writeArchive(path.join(dir, 'cold.tar.gz'), { root, files: ['app.py'], tag: null, environmentLock: null, signingKey: key })).file;

  const ca = makeTestCa(dir, 'archive');
  caFile = ca.caFile;
  server = https.createServer({ key: ca.server.key, cert: ca.server.cert }, (req, res) => {
    asked.push({ path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (req.headers.authorization !== `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="nas"' }).end();
      return;
    }
    const file = path.join(dir, path.basename(req.url ?? ''));
    readFile(file).then(
      (bytes) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // git's credential store, as an operator keeps one: the helper answers `git credential fill`.
  await writeFile(path.join(dir, 'credentials'), `https://ops:${PASSWORD}@127.0.0.1%3a${(server.address() as AddressInfo).port}\n`);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** git's configuration for the reads: the CA it trusts and its credential helper, through the environment. */
function gitEnv(): Record<string, string> {
  return {
    GIT_SSL_CAINFO: caFile,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'credential.helper',
    GIT_CONFIG_VALUE_0: `store --file=${path.join(dir, 'credentials')}`,
  };
}

describe('an archive over HTTPS', () => {
  it("is read with git's CA and the credential helper's password after a 401; a missing .sig is no error", async () => {
    const location = archiveLocation(`${base}/cold.tar.gz`);
    const secrets: string[] = [];
    const remote = new ArchiveServer(location, { env: gitEnv(), onSecret: (s) => secrets.push(s) });
    try {
      const sum = await sidecar(location, remote, '.sha256');
      expect(expectedSha256(sum!, location.display)).toBe((await readFile(`${archive}.sha256`, 'utf8')).slice(0, 64));
      expect(await sidecar(location, remote, '.missing')).toBeUndefined();
      const opened = await openArchive(location, remote);
      expect(opened.size).toBe((await readFile(archive)).length);
      const chunks: Buffer[] = [];
      for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(await readFile(archive))).toBe(true);
    } finally {
      remote.close();
    }
    expect(secrets).toContain(PASSWORD);
    // The first request went without credentials and was refused; the helper's pair was used from then on.
    expect(asked[0]).toEqual({ path: '/cold.tar.gz.sha256' });
    expect(asked.slice(1).every((a) => a.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('a wrong password in the URL is a 401 that names the archive, not the password', async () => {
    const location = archiveLocation(`https://ops:wrong-pw@127.0.0.1:${new URL(base).port}/cold.tar.gz`);
    expect(location.display).not.toContain('wrong-pw');
    const remote = new ArchiveServer(location, { env: gitEnv() });
    try {
      const error = await openArchive(location, remote).catch((e: Error) => e);
      expect(String(error)).toMatch(/GET https:\/\/\*+@127\.0\.0\.1:\d+\/cold\.tar\.gz answered HTTP 401/);
      expect(String(error)).not.toContain('wrong-pw');
    } finally {
      remote.close();
    }
  });
});

describe("an archive's SSH signature", () => {
  it('names its signer, and verifies over the bytes as they are read; other bytes do not verify', async () => {
    const signature = await writeSignature(await readFile(`${archive}.sig`, 'utf8'));
    try {
      expect(await findSigner(signature.file, allowedSigners)).toEqual({ principal: 'ops@whisper.example', detail: 'signed by ops@whisper.example' });
      const good = verifyWhileReading(signature.file, allowedSigners, 'ops@whisper.example');
      await pipeline(createReadStream(archive), good.input);
      expect((await good.result).ok).toBe(true);
      const bad = verifyWhileReading(signature.file, allowedSigners, 'ops@whisper.example');
      bad.input.end(Buffer.concat([await readFile(archive), Buffer.from('x')]));
      expect(await bad.result).toMatchObject({ ok: false });
    } finally {
      await signature.remove();
    }
  });

  it('a signer the allowed signers do not name is found by nobody', async () => {
    const other = path.join(dir, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'intruder', '-f', other]);
    execFileSync('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', other, archive.replace('cold.tar.gz', 'service/app.py')], { stdio: 'ignore' });
    const signature = await writeSignature(await readFile(path.join(dir, 'service', 'app.py.sig'), 'utf8'));
    try {
      const found = await findSigner(signature.file, allowedSigners);
      expect(found.principal).toBeUndefined();
      expect(found.detail).not.toBe('');
    } finally {
      await signature.remove();
    }
  });
});
