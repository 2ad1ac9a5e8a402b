/**
 * How the drill starts the service: through the shim (adapters/service-shim.ts), in a network namespace
 * of its own where the host allows it, its outgoing connection attempts traced. In a namespace the
 * service's port is unreachable from the host, so the drill listens on that port itself and carries
 * each connection to the shim's Unix socket in the workspace: the readiness probe and the assertions
 * reach the service as they would on the host.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_SHIM_PY } from '../adapters/service-shim.js';
import { SYSTEM_PYTHON } from '../adapters/system-python.js';
import type { ConnectionAttempt } from '../model/record.js';
import { shellWord } from '../model/shell-word.js';
import { setupPaths } from './setup-state.js';

export interface JailPlan {
  /** `unshare` and its flags, when the service gets a network namespace. */
  readonly unshare?: readonly string[];
  /** Whether the shim traces the service's connection attempts. */
  readonly trace: boolean;
}

export interface Jail {
  /** The shell command that starts the service through the shim. */
  readonly command: string;
  /** Attempts seen so far (JSON lines of the shim's trace file). */
  attempts(): Promise<Array<Omit<ConnectionAttempt, 'during'>>>;
  /** Stops the drill's side of the forwarding and removes its socket folder. */
  close(): Promise<void>;
}


/** A Unix socket path must fit in 108 bytes: a long workspace gets a short folder of its own. */
async function socketFolder(workspace: string): Promise<{ dir: string; own: boolean }> {
  const dir = setupPaths(workspace).folder;
  if (path.join(dir, 'service.sock').length < 100) return { dir, own: false };
  return { dir: await mkdtemp(path.join(os.tmpdir(), 'wd-sock-')), own: true };
}

/** Listens on the service's address on the host and carries each connection to the socket. */
function forwardToSocket(host: string, port: number, socket: string): Promise<{ close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(socket);
    open.add(client).add(upstream);
    client.once('close', () => open.delete(client));
    upstream.once('close', () => open.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    // The shim not listening yet (the service is starting): the client's request is answered with a
    // reset once it has been sent, as a port nobody listens on would refuse it. Closed before the
    // request is written, fetch would quietly try again, and again, never giving up.
    upstream.on('error', () => {
      client.unpipe(upstream);
      // The service answered, then closed with the request unread (an auth check refusing an upload):
      // its answer goes to the client whole, then the connection ends, as it would on the host.
      if (upstream.bytesRead > 0) {
        client.resume();
        client.end();
        return;
      }
      if (client.bytesRead > 0) client.resetAndDestroy();
      else client.once('data', () => client.resetAndDestroy()).resume();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of open) socket.destroy();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ close }));
  });
}

export async function jailService(start: string, url: URL, workspace: string, plan: JailPlan): Promise<Jail> {
  const folder = setupPaths(workspace).folder;
  await mkdir(folder, { recursive: true });
  const shim = path.join(folder, 'service-shim.py');
  await writeFile(shim, SERVICE_SHIM_PY);
  const traceFile = path.join(folder, 'connections.ndjson');
  await rm(traceFile, { force: true });
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const sockets = plan.unshare ? await socketFolder(workspace) : undefined;
  const socket = sockets ? path.join(sockets.dir, 'service.sock') : undefined;
  if (socket) await rm(socket, { force: true });
  const shimArgs = [
    ...(socket ? ['--netns', '--socket', socket, '--host', host, '--port', String(port)] : []),
    ...(plan.trace ? ['--trace', traceFile] : []),
  ];
  const inner = [SYSTEM_PYTHON, '-I', '-S', shim, ...shimArgs, '--', '/bin/sh', '-c', start].map(shellWord).join(' ');
  const command = `exec ${plan.unshare ? `${plan.unshare.map(shellWord).join(' ')} -- ` : ''}${inner}`;
  const server = socket ? await forwardToSocket(host, port, socket) : undefined;
  return {
    command,
    async attempts() {
      if (!existsSync(traceFile)) return [];
      return (await readFile(traceFile, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Omit<ConnectionAttempt, 'during'>];
          } catch {
            return [];
          }
        });
    },
    async close() {
      await server?.close();
      if (sockets?.own) await rm(sockets.dir, { recursive: true, force: true });
    },
  };
}
