/** Readiness against a real HTTP server on loopback: a 404 is an answer, but not a ready service. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isReadyStatus, waitUntilReady } from '../../src/service/ready.js';

let server: http.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(status: number): Promise<string> {
  server = http.createServer((_req, res) => {
    res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {});
    res.end('body');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const wait = (url: string, statuses?: readonly number[]) =>
  waitUntilReady({ url, timeoutMs: 600, intervalMs: 50, signal: new AbortController().signal, hasExited: () => false, ...(statuses ? { statuses } : {}) });

describe('waitUntilReady', () => {
  it('does not take a 404 for ready, and says what it got', async () => {
    const outcome = await wait(await serve(404));
    expect(outcome).toMatchObject({ ready: false, reason: 'timeout', lastError: 'HTTP 404 (ready means 2xx or 3xx)' });
  });

  it('takes a 2xx, and a 3xx without following it', async () => {
    expect(await wait(await serve(204))).toMatchObject({ ready: true, status: 204 });
    await new Promise((resolve) => server!.close(resolve));
    expect(await wait(await serve(302))).toMatchObject({ ready: true, status: 302 });
  });

  it('takes exactly the statuses the plan names', async () => {
    expect(await wait(await serve(404), [404])).toMatchObject({ ready: true, status: 404 });
    await new Promise((resolve) => server!.close(resolve));
    expect(await wait(await serve(200), [401])).toMatchObject({ ready: false, lastError: 'HTTP 200 (ready means 401)' });
  });

  it('classifies statuses', () => {
    expect([199, 200, 299, 301, 399, 400, 404, 500].map((s) => isReadyStatus(s))).toEqual([false, true, true, true, true, false, false, false]);
  });
});
