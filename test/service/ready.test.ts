/** Readiness against a real HTTP server on loopback: a 404 is an answer, but not a ready service. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isReadyStatus, probeSendsKey, waitUntilReady } from '../../src/service/ready.js';

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

describe('readiness and the API key', () => {
  it('sends the key as a Bearer token, and stops at once on 401/403 with what it means', async () => {
    const seen: Array<string | undefined> = [];
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(req.headers.authorization === 'Bearer right' ? 200 : 403);
      res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
    const probe = (apiKey?: string) =>
      waitUntilReady({ url, timeoutMs: 5_000, intervalMs: 50, signal: new AbortController().signal, hasExited: () => false, ...(apiKey ? { apiKey } : {}) });
    expect(await probe('right')).toMatchObject({ ready: true, status: 200 });
    expect(await probe('wrong')).toMatchObject({ ready: false, reason: 'refused', lastError: 'HTTP 403: the key was refused' });
    expect(await probe()).toMatchObject({ ready: false, reason: 'refused', lastError: 'HTTP 403: the service wants an API key (set service.apiKeyEnv)' });
    expect(seen).toEqual(['Bearer right', 'Bearer wrong', undefined]);
  });

  it('a /health probe carries no key unless the plan says so', () => {
    expect(probeSendsKey({ path: '/health' })).toBe(false);
    expect(probeSendsKey({ path: '/health/' })).toBe(false);
    expect(probeSendsKey({ path: '/' })).toBe(true);
    expect(probeSendsKey({ path: '/v1/models' })).toBe(true);
    expect(probeSendsKey({ path: '/health', sendApiKey: true })).toBe(true);
    expect(probeSendsKey({ path: '/', sendApiKey: false })).toBe(false);
  });
});
