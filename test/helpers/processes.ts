/** What is running on this (Linux) host, read from /proc: to prove a drill left nothing running. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  /** Arguments joined by spaces. */
  readonly cmdline: string;
  /** The working directory; ends in " (deleted)" once the directory is gone. Undefined when unreadable. */
  readonly cwd: string | undefined;
}

export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      continue; // exited while we looked
    }
    let cwd: string | undefined;
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      cwd = undefined;
    }
    processes.push({ pid, cmdline, cwd });
  }
  return processes;
}

/** Processes whose command line mentions `dir`, or which run inside it (even after it was deleted). */
export function processesUsing(dir: string): ProcessInfo[] {
  const inside = (p: string | undefined) => p !== undefined && (p === dir || p.startsWith(`${dir}/`) || p.startsWith(`${dir} `));
  return listProcesses().filter((p) => p.cmdline.includes(dir) || inside(p.cwd));
}

/** Whether `pid` is still a live process running `cmdline` (a recycled pid running something else does not count). */
export function stillRunning(pid: number, cmdline: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie is dead, only not yet reaped.
    if (/^\d+ \(.*\) Z /.test(stat)) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === cmdline;
  } catch {
    return false;
  }
}

export function describeProcesses(processes: readonly ProcessInfo[]): string {
  return processes.map((p) => `${p.pid} [${p.cwd ?? '?'}] ${p.cmdline}`).join('\n');
}
