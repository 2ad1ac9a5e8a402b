/**
 * The process that listens on the service's port, read from /proc: its command line and working
 * directory. init proposes them (the start command, backup.from) for the operator to confirm — a start
 * command guessed from defaults can listen elsewhere than the URL that was probed.
 */
import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { shellWord } from '../model/shell-word.js';
import { probePort } from '../probes/ports.js';
import { urlPort } from '../service/listens-elsewhere.js';

export interface ServiceProcess {
  readonly pid: number;
  /** The command line as a shell would take it, paths inside `cwd` made relative to it. */
  readonly command: string;
  readonly cwd: string;
  readonly port: number;
}

/** argv as one shell command; an argument that is a path inside `cwd` is written relative to it. */
export function commandIn(argv: readonly string[], cwd: string): string {
  return argv
    .map((arg) => {
      if (!path.isAbsolute(arg)) return arg;
      const relative = path.relative(cwd, arg);
      return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? (relative.includes('/') ? relative : `./${relative}`) : arg;
    })
    .map(shellWord)
    .join(' ');
}

export async function serviceProcess(url: string): Promise<ServiceProcess | undefined> {
  const port = urlPort(new URL(url));
  const holder = (await probePort(port).catch(() => undefined))?.holder;
  if (!holder) return undefined;
  const [cmdline, cwd] = await Promise.all([readFile(`/proc/${holder.pid}/cmdline`, 'utf8').catch(() => ''), readlink(`/proc/${holder.pid}/cwd`).catch(() => undefined)]);
  const argv = cmdline.split('\0').filter(Boolean);
  if (argv.length === 0 || !cwd) return undefined;
  return { pid: holder.pid, command: commandIn(argv, cwd), cwd, port };
}
