/**
 * The shim's tracer on the real kernel: a refused TCP connect, a UDP datagram to an address (as a DNS
 * lookup sends) and each message of a sendmmsg are seen, with the caller's pid and command — what sampling /proc/<pid>/net misses.
 * Loopback only: nothing listens on 127.0.0.9, and the datagram goes nowhere.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServiceProcess } from '../../src/adapters/process-group.js';
import { jailService } from '../../src/service/jail.js';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-jail-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

it.runIf(process.arch === 'x64' && process.platform === 'linux')('traces a refused connect, a UDP send and every message of a sendmmsg of the whole process tree; io_uring is not there', async () => {
  const client = [
    'import socket',
    'try:',
    '    socket.create_connection(("127.0.0.9", 9), timeout=2)',
    'except OSError:',
    '    pass',
    'socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"q", ("127.0.0.9", 53))',
    // sendmmsg to two addresses (Python has no sendmmsg: libc's, through ctypes); every message counts.
    'import ctypes, struct',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    'names = [ctypes.create_string_buffer(struct.pack("<HH4s8x", socket.AF_INET, socket.htons(p), socket.inet_aton("127.0.0.9"))) for p in (5353, 5354)]',
    'data = ctypes.create_string_buffer(b"q")',
    'iov = ctypes.create_string_buffer(struct.pack("<QQ", ctypes.addressof(data), 1))',
    'vector = b"".join(struct.pack("<QI4xQQQQi4xI4x", ctypes.addressof(n), 16, ctypes.addressof(iov), 1, 0, 0, 0, 0) for n in names)',
    'buf = ctypes.create_string_buffer(vector)',
    'libc.sendmmsg(u.fileno(), buf, 2, 0)',
    // io_uring, which the tracer cannot follow, is not there: io_uring_setup answers ENOSYS.
    'print("io_uring", libc.syscall(425, 1, ctypes.create_string_buffer(120)), ctypes.get_errno(), flush=True)',
  ].join('\n');
  // A child of a child: the tracer follows forks.
  const jail = await jailService(`sh -c 'python3 -c "$CLIENT"'`, new URL('http://127.0.0.1:9'), tmp, { trace: true });
  const lines: string[] = [];
  const service = startServiceProcess(jail.command, { cwd: tmp, env: { CLIENT: client }, logFile: path.join(tmp, 'log'), onLine: (line) => lines.push(line) });
  const exit = await service.exited;
  await service.stopFollowing();
  await jail.close();
  expect(exit.code).toBe(0);
  const attempts = await jail.attempts();
  expect(attempts.map(({ call, address, port }) => ({ call, address, port }))).toEqual([
    { call: 'connect', address: '127.0.0.9', port: 9 },
    { call: 'sendto', address: '127.0.0.9', port: 53 },
    { call: 'sendmmsg', address: '127.0.0.9', port: 5353 },
    { call: 'sendmmsg', address: '127.0.0.9', port: 5354 },
  ]);
  expect(lines).toContain('io_uring -1 38');
  expect(attempts[0]!.command).toContain('python3 -c');
});

it.runIf(process.arch === 'x64' && process.platform === 'linux')('a service its shell forked finishes its own cleanup on TERM: the shim leaves only when every traced process has', async () => {
  const done = path.join(tmp, 'cleaned-up');
  const cleanup = ['import os, signal, sys, time', 'def stop(*_):', '    time.sleep(0.3)', `    open(${JSON.stringify(done)}, "w").close()`, '    sys.exit(0)', 'signal.signal(signal.SIGTERM, stop)', 'print("ready", flush=True)', 'time.sleep(60)'].join('\n');
  // `; true`: the shell forks python and waits, rather than becoming it.
  const jail = await jailService(`python3 -c "$CLEANUP"; true`, new URL('http://127.0.0.1:9'), tmp, { trace: true });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const service = startServiceProcess(jail.command, { cwd: tmp, env: { CLEANUP: cleanup }, logFile: path.join(tmp, 'cleanup.log'), onLine: (line) => line === 'ready' && ready() });
  await started;
  const stopped = await service.stop(10_000);
  await jail.close();
  expect(stopped).toMatchObject({ signal: 'TERM', groupGone: true });
  expect(existsSync(done)).toBe(true);
});
