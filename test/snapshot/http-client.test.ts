/**
 * Requests of the transfer on undici (the Batch API): where redirects may lead and with which
 * headers, and a proxy that never answers its CONNECT.
 */
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnections, readText, redirectTarget, request } from '../../src/snapshot/lfs/http-client.js';
import { proxiesFrom } from '../../src/snapshot/lfs/proxy.js';
import { NODE_TRUST } from '../../src/snapshot/trust.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function listen(server: net.Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a redirect', () => {
  it('never leads from https down to http, and keeps Authorization for the same host only', () => {
    const from = new URL('https://lfs.example/o/1');
    expect(() => redirectTarget(from, 'http://storage.example/o/1')).toThrow(/leaves https/);
    const headers = { Authorization: 'Bearer t0k3n', 'x-storage-token': 'keep' };
    expect(redirectTarget(from, '/o/2', headers).headers).toEqual(headers);
    expect(redirectTarget(from, 'https://storage.example/o/1', headers)).toMatchObject({ url: new URL('https://storage.example/o/1'), headers: { 'x-storage-token': 'keep' } });
  });

  it('is followed by request() to another host without the Authorization header', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const target = await listen(http.createServer((req, res) => (seen.push(req.headers), res.end('there'))));
    const origin = await listen(http.createServer((_req, res) => res.writeHead(302, { location: `http://${target}/x` }).end()));
    const response = await request(`http://${origin}/x`, { headers: { authorization: 'Bearer t0k3n', 'x-storage-token': 'keep' } });
    expect(await readText(response)).toBe('there');
    expect(seen[0]?.authorization).toBeUndefined();
    expect(seen[0]?.['x-storage-token']).toBe('keep');
  });
});

describe('a proxy that accepts the connection and never answers', () => {
  it('is given up after the idle time, an abort ends the wait at once, and close() ends its connections', async () => {
    const held: Array<Promise<unknown>> = [];
    // It reads what it is sent (the CONNECT), and says nothing.
    const silent = await listen(net.createServer((socket) => void held.push(once(socket.on('error', () => undefined).resume(), 'close'))));
    const connections = openConnections(NODE_TRUST, proxiesFrom({ https_proxy: `http://${silent}` }));
    await expect(request('https://lfs.example/objects/batch', { connections, idleMs: 200 })).rejects.toThrow('no answer from lfs.example for 0.2 s');
    const abort = new AbortController();
    const waiting = request('https://lfs.example/objects/batch', { connections, signal: abort.signal });
    setImmediate(() => abort.abort(new Error('aborted by the operator')));
    await expect(waiting).rejects.toThrow('aborted by the operator');
    // Both tunnels still wait for the proxy's answer: the end of the transfer closes them.
    expect(held).toHaveLength(2);
    connections.close();
    await Promise.all(held);
  });
});
