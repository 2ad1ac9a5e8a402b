/**
 * Which TCP ports a set of processes listens on, from Linux's /proc: the LISTEN sockets of
 * /proc/<pid>/net/tcp{,6} (the table of that process's own network namespace) whose inode one of the
 * processes holds open (/proc/<pid>/fd/* → "socket:[inode]"). Best effort: unreadable entries are skipped.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListenSocket {
  /** "127.0.0.1", "0.0.0.0", "::", "::1" … */
  readonly address: string;
  readonly port: number;
  readonly inode: string;
}

export interface Listener extends ListenSocket {
  readonly pid: number;
}

const LISTEN = '0A';

function ipv4(hex: string): string {
  // Little-endian on the hosts this runs on: "0100007F" is 127.0.0.1.
  const bytes = hex.match(/../g) ?? [];
  return bytes.map((byte) => parseInt(byte, 16)).reverse().join('.');
}

function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  const words = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().join('').match(/.{4}/g) ?? []);
  return words.map((word) => word.replace(/^0{1,3}/, '')).join(':');
}

/** The LISTEN rows of a /proc/net/tcp or tcp6 table. */
export function parseListenTable(text: string): ListenSocket[] {
  return text.split('\n').slice(1).flatMap((line) => {
    const cells = line.trim().split(/\s+/);
    const [addressHex, portHex] = (cells[1] ?? '').split(':');
    const inode = cells[9];
    if (cells[3] !== LISTEN || !addressHex || !portHex || !inode || inode === '0') return [];
    return [{ address: addressHex.length > 8 ? ipv6(addressHex) : ipv4(addressHex), port: parseInt(portHex, 16), inode }];
  });
}

async function socketsOf(pid: number): Promise<Map<string, ListenSocket>> {
  const tables = await Promise.all(['tcp', 'tcp6'].map((name) => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => '')));
  return new Map(tables.flatMap(parseListenTable).map((socket) => [`socket:[${socket.inode}]`, socket]));
}

/**
 * The LISTEN sockets held by `pids`, each read in its own process's network namespace (a service in a
 * namespace of its own listens where the host's table does not show it).
 */
export async function listenersOf(pids: readonly number[]): Promise<Listener[]> {
  const byNamespace = new Map<string, Promise<Map<string, ListenSocket>>>();
  const found: Listener[] = [];
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    const links = (await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))).filter((link) => link.startsWith('socket:'));
    if (links.length === 0) continue;
    const namespace = await readlink(`/proc/${pid}/ns/net`).catch(() => `pid ${pid}`);
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, socketsOf(pid));
    const sockets = await byNamespace.get(namespace)!;
    for (const link of links) {
      const socket = sockets.get(link);
      if (socket && !found.some((f) => f.inode === socket.inode)) found.push({ ...socket, pid });
    }
  }
  return found;
}

/** "127.0.0.1:7860", "[::]:7860". */
export function describeListener(socket: Pick<ListenSocket, 'address' | 'port'>): string {
  return socket.address.includes(':') ? `[${socket.address}]:${socket.port}` : `${socket.address}:${socket.port}`;
}
