/**
 * An archive's SSH signature (the `.sig` beside it, made with `ssh-keygen -Y sign -n file`), checked
 * with ssh-keygen against the plan's allowed signers: who signed it is found before anything is
 * read (`find-principals`), and the signature is verified over the archive's bytes as the fetch
 * reads them — ssh-keygen reads the message on its stdin, so the archive is read once.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { run, type ProcessRunner } from '../adapters/run.js';

/** The namespace of file signatures (ssh-keygen's own convention for `-Y sign` of a file). */
export const ARCHIVE_SIGNATURE_NAMESPACE = 'file';

export interface SignatureFile {
  readonly file: string;
  remove(): Promise<void>;
}

export async function writeSignature(text: string): Promise<SignatureFile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-sig-'));
  const file = path.join(dir, 'archive.sig');
  await writeFile(file, text);
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Who signed it, among the allowed signers; undefined with ssh-keygen's reason when nobody allowed did. */
export async function findSigner(signature: string, allowedSigners: string, runner?: ProcessRunner): Promise<{ principal?: string; detail: string }> {
  const result = await run('ssh-keygen', ['-Y', 'find-principals', '-s', signature, '-f', allowedSigners, '-n', ARCHIVE_SIGNATURE_NAMESPACE], { runner });
  const principal = result.stdout.split('\n')[0]?.trim();
  if (result.exitCode === 0 && principal) return { principal, detail: `signed by ${principal}` };
  return { detail: (result.stderr.trim().split('\n').at(-1) ?? '') || 'no allowed signer made this signature' };
}

export interface StreamVerification {
  /** The archive's bytes go here as they are read. */
  readonly input: Writable;
  /** ssh-keygen's verdict once the input has ended. */
  readonly result: Promise<{ ok: boolean; detail: string }>;
  kill(): void;
}

/** `ssh-keygen -Y verify` reading the archive on its stdin, beside the extraction. */
/**
 * (Spawned here rather than through the runner: the runner takes its input as a string, and the
 * archive's bytes are streamed in.) `env` is added to the inherited environment, as the runner does.
 */
export function verifyWhileReading(signature: string, allowedSigners: string, principal: string, env: Readonly<Record<string, string>> = {}): StreamVerification {
  const child = spawn('ssh-keygen', ['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', ARCHIVE_SIGNATURE_NAMESPACE, '-s', signature], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let said = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (said = (said + text).slice(-2000)));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (said = (said + text).slice(-2000)));
  child.stdin.on('error', () => undefined);
  const result = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    child.once('error', (error) => resolve({ ok: false, detail: `ssh-keygen: ${error.message}` }));
    child.once('close', (code) => resolve({ ok: code === 0, detail: said.trim().split('\n').at(-1) || `ssh-keygen exited with ${code}` }));
  });
  return { input: child.stdin, result, kill: () => child.kill('SIGKILL') };
}
