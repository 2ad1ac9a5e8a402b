/**
 * The shim's tracer on the real kernel: a refused TCP connect and a UDP datagram to an address (as a DNS
 * lookup sends) are both seen, with the caller's pid and command — what sampling /proc/<pid>/net misses.
 * Loopback only: nothing listens on 127.0.0.9, and the datagram goes nowhere.
 */
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

it.runIf(process.arch === 'x64' && process.platform === 'linux')('traces a refused connect and a UDP send of the whole process tree', async () => {
  const client = [
    'import socket',
    'try:',
    '    socket.create_connection(("127.0.0.9", 9), timeout=2)',
    'except OSError:',
    '    pass',
    'socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"q", ("127.0.0.9", 53))',
  ].join('\n');
  // A child of a child: the tracer follows forks.
  const jail = await jailService(`sh -c 'python3 -c "$CLIENT"'`, new URL('http://127.0.0.1:9'), tmp, { trace: true });
  const service = startServiceProcess(jail.command, { cwd: tmp, env: { CLIENT: client }, logFile: path.join(tmp, 'log') });
  const exit = await service.exited;
  await jail.close();
  expect(exit.code).toBe(0);
  const attempts = await jail.attempts();
  expect(attempts.map(({ call, address, port }) => ({ call, address, port }))).toEqual([
    { call: 'connect', address: '127.0.0.9', port: 9 },
    { call: 'sendto', address: '127.0.0.9', port: 53 },
  ]);
  expect(attempts[0]!.command).toContain('python3 -c');
});
