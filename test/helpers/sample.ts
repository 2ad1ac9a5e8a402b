/**
 * The sample backup built once per run by test/global-setup.ts, and small utilities for tests that
 * work with real git repositories. The built sample is shared: a test that must damage a
 * repository copies the bare repository first (copyBareRepo).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ensureSampleBackup, type SampleBackup } from '../../src/sample/build.js';

export async function sampleBackup(): Promise<SampleBackup> {
  const cache = process.env['WHISPER_DRILL_CACHE'];
  if (!cache) throw new Error('WHISPER_DRILL_CACHE is not set: run the tests through vitest (test/global-setup.ts builds the sample)');
  return ensureSampleBackup(cache);
}

/** An independent copy of a bare repository (objects and LFS store included), safe to damage. */
export async function copyBareRepo(repoDir: string, dest: string): Promise<string> {
  await cp(repoDir, dest, { recursive: true });
  return dest;
}

/** Plain git, straight through child_process (independent of the code under test). */
export function gitText(args: readonly string[], cwd?: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd, env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`git ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout)),
    );
    // git may exit before it reads its input (or never read it): a closed pipe is not an error here.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * A port nothing listens on right now, for a server a test starts later (a service, sshd, a stand-in).
 *
 * It is not the kernel's pick (listen on 0, then close): that port lies in the ephemeral range
 * (net.ipv4.ip_local_port_range, 32768–60999), where the kernel also hands out the source port of every
 * outgoing connection, so in the time between the pick and the server's listen another test's
 * connection could take it ("port … is already in use"). Ports here come from below that range, each
 * vitest worker from its own thousand (VITEST_POOL_ID), in turn from a random point, and only one a
 * listen on 127.0.0.1 has just succeeded on.
 */
const OWN_PORTS = 1000;
const OWN_PORTS_FROM = 20_000;
let nextOwnPort = Math.floor(Math.random() * OWN_PORTS);

export async function freePort(): Promise<number> {
  const worker = Math.max(1, Number(process.env.VITEST_POOL_ID ?? 1) || 1);
  const first = OWN_PORTS_FROM + ((worker - 1) % 12) * OWN_PORTS;
  for (let tried = 0; tried < OWN_PORTS; tried += 1) {
    const port = first + (nextOwnPort++ % OWN_PORTS);
    if (await listensFree(port)) return port;
  }
  throw new Error(`no free port in ${first}–${first + OWN_PORTS - 1}`);
}

function listensFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Waits until something accepts connections on 127.0.0.1:`port` (a server started as a child
 * process); throws with `name` if `child` exits first or nothing listens within 5 s.
 */
export async function untilListening(port: number, child: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${name} did not listen on ${port}`);
}

/** Where the LFS object `oid` lives in a bare repository's store. */
export function lfsObjectFile(repoDir: string, oid: string): string {
  return path.join(repoDir, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
}
