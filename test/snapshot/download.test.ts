/**
 * One large LFS object (past the size that gets a hashing thread) downloaded from the test server's
 * storage port: whole, resumed after dropped connections, and corrupt.
 */
import { retryPolicy, type RetryPolicy } from '../../src/snapshot/lfs/retry-policy.js';
import { createHash, randomBytes } from 'node:crypto';
import { getEventListeners, once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadObject } from '../../src/snapshot/lfs/download.js';
import { THREAD_FROM_BYTES } from '../../src/snapshot/lfs/sha256.js';
import { startLfsServer, STORAGE_HEADER, STORAGE_TOKEN, type Faults, type LfsServer } from '../helpers/lfs-server.js';

let tmp = '';
let server: LfsServer | undefined;
const data = randomBytes(THREAD_FROM_BYTES + 3 * 1024 * 1024 + 17);
const oid = createHash('sha256').update(data).digest('hex');
/** An object of exactly two download blocks (2 MiB each). */
const even = randomBytes(4 * 1024 * 1024);
const evenOid = createHash('sha256').update(even).digest('hex');

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-download-'));
  const store = path.join(tmp, 'root', 'big.git', 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4));
  await mkdir(store, { recursive: true });
  await writeFile(path.join(store, oid), data);
  const evenStore = path.join(tmp, 'root', 'big.git', 'lfs', 'objects', evenOid.slice(0, 2), evenOid.slice(2, 4));
  await mkdir(evenStore, { recursive: true });
  await writeFile(path.join(evenStore, evenOid), even);
});
afterEach(async () => {
  await server?.stop();
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function download(faults: Faults, extra: { signal?: AbortSignal; retry?: RetryPolicy; resumePartial?: boolean } = {}, partial?: Buffer, object = { oid, data }) {
  const { oid: id, data: bytes } = object;
  server = await startLfsServer({ root: path.join(tmp, 'root'), username: 'u', password: 'p', faults });
  const dir = await mkdtemp(path.join(tmp, 'work-'));
  const dest = path.join(dir, 'large-v3.pt');
  await writeFile(dest, `version https://git-lfs.github.com/spec/v1\noid sha256:${id}\nsize ${bytes.length}\n`);
  // What a killed drill left: the object's first bytes, written as the download's blocks were.
  if (partial) await writeFile(`${dest}.whisper-drill-part`, partial);
  const action = { oid: id, size: bytes.length, href: `${server.storageUrl}/big.git/${id}`, header: { [STORAGE_HEADER]: STORAGE_TOKEN } };
  let progress = 0;
  const landed = await downloadObject(action, dest, { retry: retryPolicy(5, 0), onBytes: (delta) => (progress += delta), ...extra });
  return { landed, dest, dir, progress };
}

describe('a large object', () => {
  it('lands whole, hashed on its own thread, in its pointer\'s place', async () => {
    const { landed, dest, dir, progress } = await download({});
    expect(landed).toEqual({ oid, size: data.length, sha256: oid, resumed: 0 });
    expect(progress).toBe(data.length);
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(await readdir(dir)).toEqual(['large-v3.pt']);
  });

  it('resumes after connections dropped mid-block, and the hash spans the pieces', async () => {
    const { landed, dest } = await download({ drop: { afterBytes: 5 * 1024 * 1024 + 333, times: 3 } });
    expect(landed).toMatchObject({ sha256: oid, size: data.length, resumed: 3 });
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(server!.requests.filter((r) => r.port === 'storage' && r.headers.range).length).toBe(3);
  });

  it('arrives corrupt: the hash says so, the pointer stays, no partial file is left', async () => {
    const { landed, dest, dir } = await download({ corrupt: new Set([oid]) });
    expect(landed.sha256).not.toBe(oid);
    expect(landed.size).toBe(data.length);
    expect(await readFile(dest, 'utf8')).toMatch(/^version https:\/\/git-lfs/);
    expect(await readdir(dir)).toEqual(['large-v3.pt']);
    expect(existsSync(`${dest}.whisper-drill-part`)).toBe(false);
    // Asked for once: bytes that do not match are said, not fetched again.
    expect(server!.requests.filter((r) => r.port === 'storage')).toHaveLength(1);
  });

  it('gives up after its retries naming the object and the bytes received, and leaves no listener on the drill\'s signal', async () => {
    const abort = new AbortController();
    await expect(download({ drop: { afterBytes: 1_000_000, times: 10 } }, { signal: abort.signal, retry: retryPolicy(4, 0) })).rejects.toThrow(
      new RegExp(`LFS object ${oid} \\(${data.length} bytes\\): 1000000 bytes received from .*, then connection lost`),
    );
    // Five connections and four waits, each listening for an abort: every one let go.
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('does not splice in a 206 for another range: it says which range came, and the pointer stays', async () => {
    // First the object's start, cut short; then, asked for the rest, the start again as a 206.
    const half = 1_000_000;
    let answers = 0;
    const raw = net.createServer((socket) =>
      socket.on('error', () => undefined).once('data', () => {
        answers += 1;
        const head = answers === 1 ? 'HTTP/1.1 200 OK' : `HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-${data.length - 1}/${data.length}`;
        socket.end(Buffer.concat([Buffer.from(`${head}\r\nContent-Length: ${data.length}\r\n\r\n`), data.subarray(0, half)]));
      }),
    );
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    try {
      const dir = await mkdtemp(path.join(tmp, 'work-'));
      const dest = path.join(dir, 'large-v3.pt');
      await writeFile(dest, 'pointer\n');
      const action = { oid, size: data.length, href: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/obj`, header: {} };
      await expect(downloadObject(action, dest, { retry: retryPolicy(2, 0) })).rejects.toThrow(`${half} bytes received from ${action.href}, then HTTP 206 from byte 0, not ${half}`);
      expect(await readFile(dest, 'utf8')).toBe('pointer\n');
      expect(await readdir(dir)).toEqual(['large-v3.pt']);
    } finally {
      raw.close();
    }
  });
});

/** A storage host answering each request as scripted (by its Range header); the bytes are the object's. */
async function scripted(answer: (request: number, from: number) => { head: string; body: Buffer; close?: boolean }): Promise<{ href: string; close: () => void }> {
  let requests = 0;
  const raw = net.createServer((socket) =>
    socket.on('error', () => undefined).once('data', (chunk: Buffer) => {
      requests += 1;
      const from = Number(/range: bytes=(\d+)-/i.exec(chunk.toString('latin1'))?.[1] ?? 0);
      const { head, body } = answer(requests, from);
      socket.end(Buffer.concat([Buffer.from(`${head}\r\nConnection: close\r\n\r\n`), body]));
    }),
  );
  raw.listen(0, '127.0.0.1');
  await once(raw, 'listening');
  return { href: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/obj`, close: () => raw.close() };
}

async function into(href: string, retry?: RetryPolicy) {
  const dir = await mkdtemp(path.join(tmp, 'work-'));
  const dest = path.join(dir, 'large-v3.pt');
  await writeFile(dest, 'pointer\n');
  const run = downloadObject({ oid, size: data.length, href, header: {} }, dest, retry ? { retry } : {});
  return { run, dest, dir };
}

const whole = (status = '200 OK') => ({ head: `HTTP/1.1 ${status}\r\nContent-Length: ${data.length}`, body: data });
const status = (code: number, text: string) => ({ head: `HTTP/1.1 ${code} ${text}\r\nContent-Length: 2`, body: Buffer.from('no') });

describe('a large object\'s answers', () => {
  it('404: fails at once, naming the status; the backup is incomplete', async () => {
    const host = await scripted(() => status(404, 'Not Found'));
    try {
      const { run, dest } = await into(host.href, retryPolicy(3, 0));
      const error = await run.then(() => undefined, (e: unknown) => e as Error & { hint?: string });
      expect(error?.message).toBe(`LFS object ${oid} (${data.length} bytes): 0 bytes received from ${host.href}, then HTTP 404`);
      expect(error?.hint).toBe('the backup is incomplete: push the objects again (git lfs push --all) or pick another tag');
      expect(await readFile(dest, 'utf8')).toBe('pointer\n');
    } finally {
      host.close();
    }
  });

  it('401 and 403: fails at once, saying the download link refused the request', async () => {
    for (const [code, text] of [[401, 'Unauthorized'], [403, 'Forbidden']] as const) {
      let asked = 0;
      const host = await scripted(() => ((asked += 1), status(code, text)));
      try {
        const { run } = await into(host.href, retryPolicy(3, 0));
        const error = await run.then(() => undefined, (e: unknown) => e as Error & { hint?: string });
        expect(error?.message).toMatch(new RegExp(`then HTTP ${code}$`));
        expect(error?.hint).toMatch(/^the download link refused the request/);
        expect(asked).toBe(1);
      } finally {
        host.close();
      }
    }
  });

  it('500 until the retries are spent: fails naming it, after every retry', async () => {
    let asked = 0;
    const host = await scripted(() => ((asked += 1), status(500, 'Internal Server Error')));
    try {
      const { run } = await into(host.href, retryPolicy(2, 0));
      const error = await run.then(() => undefined, (e: unknown) => e as Error & { hint?: string });
      expect(error?.message).toMatch(/then HTTP 500$/);
      expect(error?.hint).toMatch(/the transfer kept failing/);
      expect(asked).toBe(3);
    } finally {
      host.close();
    }
  });

  it('429 and 408 are waited out like a dropped connection, then the object lands', async () => {
    const host = await scripted((n) => (n === 1 ? status(429, 'Too Many Requests') : n === 2 ? status(408, 'Request Timeout') : whole()));
    try {
      const { run, dest } = await into(host.href, retryPolicy(3, 0));
      expect(await run).toEqual({ oid, size: data.length, sha256: oid, resumed: 2 });
      expect((await readFile(dest)).equals(data)).toBe(true);
    } finally {
      host.close();
    }
  });

  it('a server that ignores the Range and sends the whole object again: the file and the hash start over, and it lands whole', async () => {
    const cut = 1_500_000;
    const froms: number[] = [];
    const host = await scripted((n, from) => (froms.push(from), n === 1 ? { head: `HTTP/1.1 200 OK\r\nContent-Length: ${data.length}`, body: data.subarray(0, cut) } : whole()));
    try {
      // With the default retry policy (no `retry` given).
      const { run, dest, dir } = await into(host.href);
      expect(await run).toEqual({ oid, size: data.length, sha256: oid, resumed: 2 });
      // Asked for the rest; answered with all of it (200): not spliced on, but asked again from byte 0.
      expect(froms).toEqual([0, cut, 0]);
      expect((await readFile(dest)).equals(data)).toBe(true);
      expect(await readdir(dir)).toEqual(['large-v3.pt']);
    } finally {
      host.close();
    }
  });

  it('a 416 or any status but 200 and 206 is not kept: nothing of its body lands', async () => {
    const host = await scripted(() => ({ head: `HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */${data.length}\r\nContent-Length: 5`, body: Buffer.from('wrong') }));
    try {
      const { run, dest, dir } = await into(host.href, retryPolicy(1, 0));
      await expect(run).rejects.toThrow(/then HTTP 416$/);
      expect(await readFile(dest, 'utf8')).toBe('pointer\n');
      expect(await readdir(dir)).toEqual(['large-v3.pt']);
    } finally {
      host.close();
    }
  });
});

describe('a partial object a killed drill left (--resume)', () => {
  const MIB = 1024 * 1024;

  it('keeps its whole blocks, re-hashed, and asks for the rest from there', async () => {
    // 7 MiB and a bit: three whole 2 MiB blocks are kept, the odd tail is fetched again.
    const { landed, dest, progress } = await download({}, { resumePartial: true }, data.subarray(0, 7 * MIB + 5));
    expect(landed).toEqual({ oid, size: data.length, sha256: oid, resumed: 0, keptBytes: 6 * MIB });
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(server!.requests.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toEqual([`bytes=${6 * MIB}-`]);
    expect(progress).toBe(data.length);
  });

  it('whose bytes are not the object\'s: the whole does not match, so it is fetched again from its first byte', async () => {
    const wrong = Buffer.from(data.subarray(0, 4 * MIB));
    wrong[MIB] = wrong[MIB]! ^ 0xff;
    const { landed, dest, dir, progress } = await download({}, { resumePartial: true }, wrong);
    expect(landed).toEqual({ oid, size: data.length, sha256: oid, resumed: 0 });
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(server!.requests.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toEqual([`bytes=${4 * MIB}-`, undefined]);
    expect(progress).toBe(data.length);
    expect(await readdir(dir)).toEqual(['large-v3.pt']);
  });

  it('left whole but not yet in place: its last block is fetched again (the whole is then hashed as one)', async () => {
    const { landed, dest } = await download({}, { resumePartial: true }, even, { oid: evenOid, data: even });
    expect(landed).toEqual({ oid: evenOid, size: even.length, sha256: evenOid, resumed: 0, keptBytes: 2 * MIB });
    expect((await readFile(dest)).equals(even)).toBe(true);
    expect(server!.requests.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toEqual([`bytes=${2 * MIB}-`]);
  });

  it('a server that will not go on from it (416): fetched again from byte 0, counted once', async () => {
    const { landed, dest, progress } = await download({ refuseRange: true }, { resumePartial: true }, data.subarray(0, 4 * MIB));
    expect(landed).toEqual({ oid, size: data.length, sha256: oid, resumed: 0 });
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(server!.requests.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toEqual([`bytes=${4 * MIB}-`, undefined]);
    expect(progress).toBe(data.length);
  });

  it('none left: the download starts at byte 0', async () => {
    const { landed } = await download({}, { resumePartial: true });
    expect(landed).toEqual({ oid, size: data.length, sha256: oid, resumed: 0 });
    expect(server!.requests.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toEqual([undefined]);
  });

  it('is not gone on from without --resume: the download starts at byte 0', async () => {
    const { landed } = await download({}, {}, data.subarray(0, 4 * MIB));
    expect(landed).toEqual({ oid, size: data.length, sha256: oid, resumed: 0 });
    expect(server!.requests.filter((r) => r.port === 'storage').map((r) => r.headers.range)).toEqual([undefined]);
  });
});
