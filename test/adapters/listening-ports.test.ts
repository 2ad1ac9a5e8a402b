/** Which ports a process tree listens on (/proc), and the readiness wait's "it listens elsewhere". */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeListener, listenersOf, parseListenTable } from '../../src/adapters/listening-ports.js';
import { listensElsewhere } from '../../src/service/listens-elsewhere.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1EB4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1EB4 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1EB4 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 98 1 0000000000000000 100 0 0 10 0
`;

describe('listening ports', () => {
  it('reads the LISTEN rows of /proc/net/tcp and tcp6 (addresses, ports, inodes), not the connections', () => {
    expect(parseListenTable(TCP)).toEqual([{ address: '127.0.0.1', port: 7860, inode: '4242' }, { address: '0.0.0.0', port: 22, inode: '17' }]);
    expect(parseListenTable(TCP6).map(describeListener)).toEqual(['[::]:7860', '[::1]:80']);
  });

  it('finds the port this very process listens on, by its socket inode', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const found = await listenersOf([process.pid]);
      expect(found).toContainEqual(expect.objectContaining({ address: '127.0.0.1', port, pid: process.pid }));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says "listens elsewhere" only once the tree has listened on other ports for the grace, and never while one is the url\'s', async () => {
    let now = 0;
    let ports = [7860];
    const check = listensElsewhere({
      pgid: process.pid,
      url: new URL('http://127.0.0.1:17860'),
      knownPorts: [9100],
      graceMs: 2_000,
      everyMs: 0,
      now: () => now,
      listeners: async () => ports.map((port) => ({ address: '127.0.0.1', port, inode: String(port), pid: 1 })),
    });
    expect(await check()).toBeUndefined();
    now = 1_999;
    expect(await check()).toBeUndefined();
    now = 2_000;
    expect(await check()).toBe("the service listens on 127.0.0.1:7860; the plan's url is http://127.0.0.1:17860 (port 17860)");
    // The url's port (or one the plan knows, environment.ports) beside it: not elsewhere, and the clock starts again.
    ports = [7860, 17860];
    expect(await check()).toBeUndefined();
    ports = [9100];
    now = 10_000;
    expect(await check()).toBeUndefined();
    ports = [];
    expect(await check()).toBeUndefined();
  });
});
