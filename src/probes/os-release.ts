/** The operating system, from /etc/os-release (no process needed): recorded with a snapshot and compared for drift. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { failed } from './common.js';
import type { ProbeResult } from './types.js';

export interface OsFacts {
  /** PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  readonly name: string;
  readonly kernel: string;
  readonly arch: string;
  readonly hostname: string;
}

export function parseOsRelease(text: string): string | undefined {
  const fields = Object.fromEntries(text.split('\n').map((line) => /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim())).filter((m) => m !== null).map((m) => [m[1], m[3]]));
  return fields['PRETTY_NAME'] ?? (fields['NAME'] ? `${fields['NAME']} ${fields['VERSION_ID'] ?? ''}`.trim() : undefined);
}

export async function probeOs(file = '/etc/os-release'): Promise<ProbeResult<OsFacts>> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const name = text === undefined ? `${os.type()} ${os.release()}` : parseOsRelease(text);
  if (!name) return failed(`${file} names no operating system`);
  return { ok: true, name, kernel: os.release(), arch: os.arch(), hostname: os.hostname() };
}
