/**
 * Whether the service can bind its port. The requested address and both wildcards are tried,
 * because a listener on 0.0.0.0 or [::] takes the port for 127.0.0.1 too.
 */
import { createServer } from 'node:net';
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface PortHolder {
  readonly pid: number;
  readonly command: string;
}

export interface PortStatus {
  readonly port: number;
  readonly host: string;
  readonly free: boolean;
  /** Why it is not free, e.g. "0.0.0.0:7860: address already in use". */
  readonly conflict?: string;
  /** Who listens on it, when /proc tells. */
  readonly holder?: PortHolder;
}

function tryListen(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => done(error));
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(undefined)));
  });
}

/** Addresses this machine lacks (no IPv6) are not a conflict for the wildcards. */
const ABSENT = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

export async function probePort(port: number, host = '127.0.0.1'): Promise<PortStatus> {
  for (const address of [...new Set([host, '0.0.0.0', '::'])]) {
    const error = await tryListen(port, address);
    if (!error || (address !== host && ABSENT.has(error.code ?? ''))) continue;
    const shown = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
    const holder = error.code === 'EADDRINUSE' ? await findListener(port) : undefined;
    return { port, host, free: false, conflict: `${shown}: ${reason}`, ...(holder ? { holder } : {}) };
  }
  return { port, host, free: true };
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await probePort(port, host)).free;
}

/** Linux only, best effort: the LISTEN socket's inode in /proc/net/tcp*, then the process holding it. */
async function findListener(port: number): Promise<PortHolder | undefined> {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const cells = line.trim().split(/\s+/);
        const localPort = parseInt(cells[1]?.split(':')[1] ?? '', 16);
        if (localPort === port && cells[3] === '0A' && cells[9] && cells[9] !== '0') inodes.add(`socket:[${cells[9]}]`);
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        if (inodes.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) {
          const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
          return { pid: Number(pid), command };
        }
      }
    }
  } catch {
    // Not Linux, or /proc is not readable: the holder stays unknown.
  }
  return undefined;
}
