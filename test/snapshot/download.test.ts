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

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-download-'));
  const store = path.join(tmp, 'root', 'big.git', 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4));
  await mkdir(store, { recursive: true });
  await writeFile(path.join(store, oid), data);
});
afterEach(async () => {
  await server?.stop();
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function download(faults: Faults, extra: { signal?: AbortSignal; retry?: RetryPolicy } = {}) {
  server = await startLfsServer({ root: path.join(tmp, 'root'), username: 'u', password: 'p', faults });
  const dir = await mkdtemp(path.join(tmp, 'work-'));
  const dest = path.join(dir, 'large-v3.pt');
  await writeFile(dest, `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${data.length}\n`);
  const action = { oid, size: data.length, href: `${server.storageUrl}/big.git/${oid}`, header: { [STORAGE_HEADER]: STORAGE_TOKEN } };
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
