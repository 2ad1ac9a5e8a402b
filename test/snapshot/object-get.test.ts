/**
 * GET into the ring, against real HTTP servers on 127.0.0.1: a plain Content-Length body over the
 * transfer's own socket (./plain-body-socket.ts); chunked bodies through undici; redirects; a head
 * that arrives a few bytes at a time; a body cut short; a status that is not the object's; an abort.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockRing } from '../../src/snapshot/lfs/block-ring.js';
import { openConnections, type Connections } from '../../src/snapshot/lfs/http-client.js';
import { getBody } from '../../src/snapshot/lfs/object-get.js';
import { parseHead, plainLength } from '../../src/snapshot/lfs/plain-body-socket.js';
import { allocateBlocks, openSha256 } from '../../src/snapshot/lfs/sha256.js';
import { makeTestCa } from '../helpers/tls.js';

const data = randomBytes(3 * 1024 * 1024 + 77);
const sha = createHash('sha256').update(data).digest('hex');
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function ring(size = data.length) {
  const file = Buffer.alloc(size + 1024);
  const blocks = allocateBlocks(3, 256 * 1024);
  const hash = openSha256(size, blocks);
  return { file, hash, ring: new BlockRing(blocks, { write: async (block, length, at) => void block.copy(file, at, 0, length), hash }) };
}

async function serve(handler: http.RequestListener): Promise<{ url: string; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => (requests.push(req), handler(req, res)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  closers.push(() => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A server that writes `answer` raw, then closes. */
async function rawServer(answer: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer((socket) => socket.on('error', () => undefined).once('data', () => answer(socket)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const keep200 = { keep: (status: number) => status === 200 };

/** The same raw server over TLS, with a certificate from a CA the client is given. */
async function rawTlsServer(answer: (socket: tls.TLSSocket) => void): Promise<{ url: string; connections: Connections }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-object-get-'));
  closers.push(() => void rm(dir, { recursive: true, force: true }));
  const ca = makeTestCa(dir, 'raw');
  const server = tls.createServer({ key: ca.server.key, cert: ca.server.cert }, (socket) => socket.on('error', () => undefined).once('data', () => answer(socket)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  const connections = openConnections({ ca: await readFile(ca.caFile, 'utf8'), from: 'the test CA' });
  closers.push(() => connections.close());
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
}

describe('the head of an answer', () => {
  it('is read as status and fields; a plain body is one with one Content-Length and no Transfer-Encoding', () => {
    const head = parseHead('HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nX-A: 1\r\nx-a: 2');
    expect(head?.status).toBe(206);
    expect(head?.fields.get('x-a')).toEqual(['1', '2']);
    expect(plainLength(head!)).toBe(10);
    expect(plainLength(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 10, 10')!)).toBe(10);
    expect(plainLength(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 11')!)).toBeUndefined();
    expect(plainLength(parseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10')!)).toBeUndefined();
    expect(plainLength(parseHead('HTTP/1.1 200 OK')!)).toBeUndefined();
    expect(parseHead('HTTP/2 200')).toBeUndefined();
    expect(parseHead('HTTP/1.1 200 OK\r\nBad Field : x')).toBeUndefined();
    // A bare LF inside a line could hide a field from this parser and not from another.
    expect(parseHead('HTTP/1.1 200 OK\r\nX-A: 1\nTransfer-Encoding: chunked\r\nContent-Length: 5')).toBeUndefined();
  });
});

describe('GET into the ring', () => {
  it('reads a plain body whole, sends the headers it was given, and hashes every byte', async () => {
    const { url, requests } = await serve((_req, res) => res.writeHead(200, { 'content-length': data.length }).end(data));
    const { ring: r, file, hash } = ring();
    expect(await getBody(`${url}/obj?sig=1`, { 'x-storage-token': 't0k3n' }, r, keep200)).toEqual({ status: 200, kept: true, complete: true });
    expect(file.subarray(0, data.length).equals(data)).toBe(true);
    expect(await hash.digest()).toBe(sha);
    expect(requests[0]?.url).toBe('/obj?sig=1');
    expect(requests[0]?.headers['x-storage-token']).toBe('t0k3n');
  });

  it('follows a redirect, asking each place once, and takes a chunked body through undici', async () => {
    const { url, requests } = await serve((req, res) => {
      if (req.url === '/moved') return void res.writeHead(302, { location: '/chunked', 'content-length': 0 }).end();
      res.writeHead(200);
      for (let at = 0; at < data.length; at += 100_000) res.write(data.subarray(at, at + 100_000));
      res.end();
    });
    const { ring: r, file, hash } = ring();
    expect(await getBody(`${url}/moved`, {}, r, keep200)).toEqual({ status: 200, kept: true, complete: true });
    expect(file.subarray(0, data.length).equals(data)).toBe(true);
    expect(await hash.digest()).toBe(sha);
    // The chunked body is asked for twice: its head sends it to undici.
    expect(requests.map((req) => req.url)).toEqual(['/moved', '/chunked', '/chunked']);
  });

  it('follows a redirect to another host without the Authorization header, and never from https down to http', async () => {
    const { url: target, requests } = await serve((_req, res) => res.writeHead(200, { 'content-length': 3 }).end('abc'));
    const { url: origin } = await serve((_req, res) => res.writeHead(302, { location: `${target}/obj`, 'content-length': 0 }).end());
    expect(await getBody(`${origin}/obj`, { Authorization: 'Bearer t0k3n', 'x-storage-token': 'keep' }, ring(3).ring, keep200)).toMatchObject({ status: 200, complete: true });
    expect(requests[0]?.headers.authorization).toBeUndefined();
    expect(requests[0]?.headers['x-storage-token']).toBe('keep');
    const { url, connections } = await rawTlsServer((socket) => socket.end(`HTTP/1.1 302 Found\r\nLocation: ${target}/obj\r\nContent-Length: 0\r\n\r\n`));
    await expect(getBody(url, { Authorization: 'Bearer t0k3n' }, ring(3).ring, { ...keep200, connections })).rejects.toThrow(/redirected to http:\/\/127\.0\.0\.1:\d+\/obj: refused, it leaves https/);
    expect(requests).toHaveLength(1);
  });

  it('reads past 100 Continue and 103 Early Hints to the answer, with one request', async () => {
    let requests = 0;
    const body = data.subarray(0, 70_000);
    const url = await rawServer((socket) => {
      requests += 1;
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    });
    const { ring: r, file } = ring(body.length);
    expect(await getBody(url, {}, r, keep200)).toEqual({ status: 200, kept: true, complete: true });
    expect(file.subarray(0, body.length).equals(body)).toBe(true);
    expect(requests).toBe(1);
  });

  it('sends the credentials of a link that carries them as Basic auth', async () => {
    const { url, requests } = await serve((_req, res) => res.writeHead(200, { 'content-length': 3 }).end('abc'));
    const withUser = url.replace('http://', 'http://reader:s%40fe@');
    expect(await getBody(`${withUser}/obj`, {}, ring(3).ring, keep200)).toMatchObject({ status: 200, complete: true });
    expect(requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('reader:s@fe').toString('base64')}`);
  });

  it('hands keep() the Content-Range of a 206', async () => {
    const url = await rawServer((socket) => socket.end('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/10\r\nContent-Length: 5\r\n\r\nabcde'));
    const seen: Array<[number, string | undefined]> = [];
    expect(await getBody(url, { range: 'bytes=5-' }, ring(10).ring, { keep: (status, range) => (seen.push([status, range]), false) })).toEqual({ status: 206, kept: false, complete: false });
    expect(seen).toEqual([[206, 'bytes 0-4/10']]);
  });

  it('gives up a connection that goes quiet, naming the host', async () => {
    const url = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\nabc`));
    const { ring: r } = ring();
    await expect(getBody(url, {}, r, { ...keep200, idleMs: 200 })).rejects.toThrow(`no data from ${new URL(url).host} for 0.2 s`);
    expect(r.received).toBe(3);
  });

  it('fails on a head larger than 64 KiB over TLS, rather than spinning', async () => {
    const { url, connections } = await rawTlsServer((socket) => socket.end(`HTTP/1.1 200 OK\r\nX-Padding: ${'x'.repeat(70_000)}\r\nContent-Length: 3\r\n\r\nabc`));
    await expect(getBody(url, {}, ring().ring, { ...keep200, connections })).rejects.toThrow(/head from 127\.0\.0\.1:\d+ is larger than 64 KiB/);
  });

  it('reads a plain body over TLS, checked against the CA it is given', async () => {
    const body = data.subarray(0, 1_000_000);
    const { url, connections } = await rawTlsServer((socket) => socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body])));
    const { ring: r, file } = ring(body.length);
    expect(await getBody(url, {}, r, { ...keep200, connections })).toEqual({ status: 200, kept: true, complete: true });
    expect(file.subarray(0, body.length).equals(body)).toBe(true);
  });

  it('reads a head that comes a few bytes at a time', async () => {
    const body = data.subarray(0, 5000);
    const url = await rawServer((socket) => {
      const answer = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      let at = 0;
      const next = () => (at < 60 ? socket.write(answer.subarray(at, (at += 7)), next) : socket.end(answer.subarray(at)));
      next();
    });
    const { ring: r, file } = ring(body.length);
    expect(await getBody(url, {}, r, keep200)).toEqual({ status: 200, kept: true, complete: true });
    expect(file.subarray(0, body.length).equals(body)).toBe(true);
  });

  it('rejects a body cut short once what arrived is written, so a resume starts at the right byte', async () => {
    const url = await rawServer((socket) => socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data.subarray(0, 1_000_000)])));
    const { ring: r, file } = ring();
    await expect(getBody(url, {}, r, keep200)).rejects.toThrow(/closed before the object ended/);
    expect(r.received).toBe(1_000_000);
    expect(file.subarray(0, 1_000_000).equals(data.subarray(0, 1_000_000))).toBe(true);
  });

  it('leaves the body of a status that is not the object\'s, and says which it was', async () => {
    const { url } = await serve((_req, res) => res.writeHead(404, { 'content-length': 9 }).end('not here\n'));
    const { ring: r } = ring();
    expect(await getBody(url, {}, r, keep200)).toEqual({ status: 404, kept: false, complete: false });
    expect(r.received).toBe(0);
  });

  it('stops when aborted', async () => {
    const url = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`));
    const { ring: r } = ring();
    const abort = new AbortController();
    const got = getBody(url, {}, r, { ...keep200, signal: abort.signal });
    setImmediate(() => abort.abort(new Error('aborted by the operator')));
    await expect(got).rejects.toThrow(/aborted by the operator/);
  });

  it('gives up a chunked body that goes quiet on undici too, keeping what arrived', async () => {
    const url = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'));
    const { ring: r } = ring();
    await expect(getBody(url, {}, r, { ...keep200, idleMs: 200 })).rejects.toThrow(`no data from ${new URL(url).host} for 0.2 s`);
    expect(r.received).toBe(3);
  });

  it('fails at once on a redirect loop, after the three redirects git-lfs follows', async () => {
    const { url, requests } = await serve((req, res) => res.writeHead(302, { location: `/loop${req.url}`, 'content-length': 0 }).end());
    await expect(getBody(`${url}/obj`, {}, ring().ring, keep200)).rejects.toThrow(/redirected to http:\/\/127\.0\.0\.1:\d+\/loop\/loop\/loop\/loop\/obj once too often \(3 redirects at most/);
    expect(requests).toHaveLength(4);
  });

  it('refuses header values that would split the request', async () => {
    const { url } = await serve((_req, res) => res.end());
    await expect(getBody(url, { 'x-a': 'b\r\nx-evil: 1' }, ring().ring, keep200)).rejects.toThrow(/Invalid character/);
  });
});
