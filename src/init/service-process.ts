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

const SECRET_NAME = String.raw`--?(?:[\w-]*[-_])?(?:api[-_]?key|key|token|password|passwd|secret)`;
const SECRET_FLAG = new RegExp(`^${SECRET_NAME}$`, 'i');
const SECRET_INLINE = new RegExp(`^(${SECRET_NAME}=).+$`, 'i');

/**
 * argv as one shell command; an argument that is a path inside `cwd` is written relative to it, and the
 * value of an option named like a secret (--api-key, --token, --password=…) is shown as `***`: a plan never
 * holds a secret (service.env and service.apiKeyEnv carry them).
 */
export function commandIn(argv: readonly string[], cwd: string): string {
  return argv
    .map((arg, i) => (SECRET_FLAG.test(argv[i - 1] ?? '') ? '***' : arg.replace(SECRET_INLINE, '$1***')))
    .map((arg) => {
      if (!path.isAbsolute(arg)) return arg;
      const relative = path.relative(cwd, arg);
      return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? (relative.includes('/') ? relative : `./${relative}`) : arg;
    })
    .map(shellWord)
    .join(' ');
}

/** Only a service on this host can be looked up in /proc. */
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

export async function serviceProcess(url: string): Promise<ServiceProcess | undefined> {
  const parsed = new URL(url);
  if (!LOCAL.has(parsed.hostname) && !parsed.hostname.startsWith('127.')) return undefined;
  const port = urlPort(parsed);
  const holder = (await probePort(port).catch(() => undefined))?.holder;
  if (!holder) return undefined;
  const [cmdline, cwd] = await Promise.all([readFile(`/proc/${holder.pid}/cmdline`, 'utf8').catch(() => ''), readlink(`/proc/${holder.pid}/cwd`).catch(() => undefined)]);
  const argv = cmdline.split('\0').filter(Boolean);
  if (argv.length === 0 || !cwd) return undefined;
  return { pid: holder.pid, command: commandIn(argv, cwd), cwd, port };
}
