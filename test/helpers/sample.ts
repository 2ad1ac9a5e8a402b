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

/** A port nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
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
