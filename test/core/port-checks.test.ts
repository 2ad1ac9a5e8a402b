/** The port check: free, or held — and under `check`, held by the plan's own service, which answers on it. */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { localPortOf, portChecks } from '../../src/core/checks/host-checks.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listening(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const answering = (status: number) => listening(http.createServer((_request, response) => response.writeHead(status).end('ok')));

describe('portChecks', () => {
  it('passes a free port and fails a held one, naming its holder (this process) and how to free it', async () => {
    const held = await listening(net.createServer());
    const free = await listening(net.createServer());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const [freeCheck, heldCheck] = await portChecks([free, held]);
    expect(freeCheck).toEqual({ id: `port-${free}`, title: `Port ${free}`, required: 'free', status: 'passed', measured: 'free' });
    expect(heldCheck).toMatchObject({ status: 'failed', measured: expect.stringMatching(new RegExp(`^in use by pid ${process.pid} \\(.+\\): 127\\.0\\.0\\.1:${held}: address already in use$`)), fix: `stop what listens on ${held} (kill ${process.pid})` });
  });

  it('under check, the service answering on its own port is the node up: ready, or asking for its key', async () => {
    for (const status of [200, 302, 401, 403]) {
      const port = await answering(status);
      const [check] = await portChecks([port], { readyUrl: `http://127.0.0.1:${port}/` });
      expect(check, `HTTP ${status}`).toMatchObject({ status: 'passed', required: 'free, or the service itself', measured: expect.stringMatching(new RegExp(`^in use by pid ${process.pid} .*, which answers at http://127\\.0\\.0\\.1:${port}/ \\(HTTP ${status}\\): the service is up$`)) });
      expect(check!.fix).toBeUndefined();
    }
  });

  it('under check, what holds the port but does not answer as the service still fails, saying what it answered', async () => {
    const broken = await answering(500);
    const [check] = await portChecks([broken], { readyUrl: `http://127.0.0.1:${broken}/` });
    expect(check).toMatchObject({ status: 'failed', measured: expect.stringMatching(new RegExp(`answered HTTP 500, not as the service$`)), fix: expect.stringMatching(/^if that is the service, read its log; if not, stop what listens on/) });
    // Not HTTP at all: the connection is closed without an answer.
    const silent = await listening(net.createServer((socket) => socket.destroy()));
    const [mute] = await portChecks([silent], { readyUrl: `http://127.0.0.1:${silent}/health` });
    expect(mute).toMatchObject({ status: 'failed', measured: expect.stringMatching(/answered .+, not as the service$/) });
    // Another port than the service's: a conflict as in a drill, the service is not asked.
    const other = await answering(200);
    const [unrelated] = await portChecks([other], { readyUrl: `http://127.0.0.1:${other + 1}/` });
    expect(unrelated).toMatchObject({ status: 'failed', required: 'free', fix: `stop what listens on ${other} (kill ${process.pid})` });
  });

  it('reads the port a service URL names on this host, and none for another host', () => {
    expect(localPortOf('http://127.0.0.1:7860/')).toBe(7860);
    expect(localPortOf('http://localhost/health')).toBe(80);
    expect(localPortOf('https://[::1]/')).toBe(443);
    expect(localPortOf('http://gpu-node-07:7860/')).toBeUndefined();
  });
});
