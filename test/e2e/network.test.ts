/**
 * The service and the network, through the built CLI. Traffic goes to loopback only: the "model hub"
 * is a server this test runs on 127.0.0.2. Isolation is shown from inside the namespace by listing its
 * interfaces (/proc/net/dev), never by trying to reach anything.
 *  - by default the service runs in a namespace with only `lo`, reached through the drill's socket;
 *  - a service that connects to the hub while starting fails the drill, naming the address — in the
 *    namespace (where the attempt is refused) and in the host's network (where it gets through);
 *  - isolation.allowConnections lets that one address through;
 *  - a host that refuses namespaces (a stand-in unshare answering as the real one does without the
 *    privilege): the report says "not isolated from the network", and the drill still runs.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';

let tmp = '';
let hub: net.Server;
let hubPort = 0;
let hubConnections = 0;

interface Report {
  readonly verdict: string;
  readonly assertions: Array<{ name: string; status: string; detail: string }>;
  readonly isolation: { network: string; achieved: string[]; how: string[] } | null;
  readonly connections: { watched: boolean; attempts: Array<{ address: string; port: number; call: string; during: string }> } | null;
}

/** The demo plan without a venv; the start command may do something first. */
async function drill(name: string, before: string, extraYaml = '', env: Record<string, string> = {}): Promise<{ report: Report; log: string }> {
  const { file, port } = await writeDemoPlan(path.join(tmp, `${name}.yaml`), extraYaml);
  const start = `sh -c '${before}exec python3 app.py --port ${port}'`;
  const plan = (await readFile(file, 'utf8'))
    .replace(/install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/, 'install:\n  commands: []\n')
    .replace(/ {2}start: .*\n/, `  start: ${JSON.stringify(start)}\n`)
    .replace(/ {2}- name: model resident on GPU\n(?: {4}.*\n)+/, '');
  await writeFile(file, plan);
  const reports = path.join(tmp, `reports-${name}`);
  const result = await runCli(['drill', '--plan', file, '--tag', 'v1.2-config-tuned', '--yes', '--report-dir', reports], {
    cwd: tmp,
    env: { GRADIO_TEMP_DIR: path.join(tmp, 'uploads'), ...env },
    timeoutMs: 90_000,
  });
  const folder = /report: (.*)\/report\.md/.exec(result.stderr)?.[1];
  expect(folder, describeRun(result)).toBeDefined();
  return { report: JSON.parse(await readFile(path.join(folder!, 'report.json'), 'utf8')) as Report, log: await readFile(path.join(folder!, 'service.log'), 'utf8') };
}

/** Python that connects to the hub, as a loader fetching weights would; refused or not, it goes on. */
const callHub = () => `python3 -c "import socket; socket.create_connection((\\"127.0.0.2\\", ${hubPort}), timeout=2).close()" 2>/dev/null; `;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-network-'));
  hub = net.createServer((socket) => {
    hubConnections += 1;
    socket.end();
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.2', () => resolve()));
  hubPort = (hub.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => hub.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

describe.runIf(process.getuid?.() === 0 && process.arch === 'x64')('the service and the network', () => {
  it('by default: a namespace with only loopback, reached through the drill; nothing tried: passes', async () => {
    const { report, log } = await drill('namespace', 'cat /proc/net/dev; ');
    const interfaces = log.split('\n').filter((line) => /^\s*[\w.-]+:\s+\d/.test(line)).map((line) => line.trim().split(':')[0]);
    expect(interfaces).toEqual(['lo']);
    expect(report.isolation?.network).toBe('namespace');
    expect(report.isolation?.achieved).toEqual(expect.arrayContaining(['network', 'connections-watched']));
    expect(report.assertions.find((a) => a.name === 'no network needed')?.status).toBe('passed');
    expect(report.verdict).toBe('passed');
  }, 120_000);

  it('a service that calls a hub while starting fails the drill, naming the address (in the namespace, refused)', async () => {
    const before = hubConnections;
    const { report } = await drill('hub-namespace', callHub());
    expect(hubConnections, 'the namespace let nothing out').toBe(before);
    expect(report.verdict).toBe('failed');
    const offline = report.assertions.find((a) => a.name === 'no network needed');
    expect(offline?.detail).toMatch(new RegExp(`^the service tried to reach 127\\.0\\.0\\.2:${hubPort} while starting \\(connect, pid \\d+ .*\\): a restore must not need it`));
    expect(report.connections?.attempts).toEqual([expect.objectContaining({ address: '127.0.0.2', port: hubPort, call: 'connect', during: 'start' })]);
  }, 120_000);

  it('in the host network the call gets through, and the drill fails all the same; allowConnections lets it pass', async () => {
    const before = hubConnections;
    const { report } = await drill('hub-host', callHub(), 'isolation:\n  network: host\n');
    expect(hubConnections).toBe(before + 1);
    expect(report.isolation?.network).toBe('host');
    expect(report.verdict).toBe('failed');
    expect(report.assertions.find((a) => a.name === 'no network needed')?.detail).toContain(`127.0.0.2:${hubPort} while starting`);
    const allowed = await drill('hub-allowed', callHub(), `isolation:\n  allowConnections: ["127.0.0.2:${hubPort}"]\n`);
    expect(allowed.report.verdict).toBe('passed');
    expect(allowed.report.connections?.attempts).toEqual([]);
  }, 120_000);

  it('a host that refuses a namespace: the report says the service was not isolated from the network, and the drill runs', async () => {
    const bin = path.join(tmp, 'no-namespaces');
    await mkdir(bin, { recursive: true });
    // What util-linux's unshare prints where the kernel refuses (no CAP_SYS_ADMIN, user namespaces off).
    await writeFile(path.join(bin, 'unshare'), '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n');
    await chmod(path.join(bin, 'unshare'), 0o755);
    const { report } = await drill('refused', '', '', { PATH: `${bin}:${process.env['PATH']}` });
    expect(report.isolation?.network).toBe('host');
    expect(report.isolation?.how).toContainEqual('not isolated from the network: this host refused a network namespace (unshare --net true: unshare: unshare failed: Operation not permitted)');
    expect(report.verdict).toBe('passed');
  }, 120_000);
});
