/**
 * The host's processes as Linux shows them in /proc: who is whose parent and which process group
 * each is in. Used to find a service's whole process tree (its group and every descendant, also
 * those that left the group with setsid) and to tell a live process from a zombie.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  /** R, S, D, Z (zombie), X (dead), … */
  readonly state: string;
  readonly comm: string;
}

/** "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")". */
export function parseStat(stat: string): ProcessEntry | undefined {
  const close = stat.lastIndexOf(')');
  const open = stat.indexOf('(');
  if (open < 0 || close < open) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const pid = Number(stat.slice(0, open).trim());
  if (!Number.isInteger(pid)) return undefined;
  return { pid, comm: stat.slice(open + 1, close), state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Every process in /proc; undefined where there is no /proc (not Linux). */
export function readProcessTable(): ProcessEntry[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const table: ProcessEntry[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parsed = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (parsed) table.push(parsed);
    } catch {
      // exited while we looked
    }
  }
  return table;
}

export const isRunning = (entry: ProcessEntry): boolean => entry.state !== 'Z' && entry.state !== 'X';

/**
 * A service's processes: every live member of its process group, and every descendant of those
 * (a worker that called setsid has a group of its own but is still the service's).
 */
export function processTree(pgid: number, table: readonly ProcessEntry[]): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found = new Map<number, ProcessEntry>();
  const queue = table.filter((entry) => entry.pgrp === pgid);
  while (queue.length > 0) {
    const entry = queue.shift()!;
    if (found.has(entry.pid)) continue;
    found.set(entry.pid, entry);
    queue.push(...(children.get(entry.pid) ?? []));
  }
  return [...found.values()].filter(isRunning).sort((a, b) => a.pid - b.pid);
}
