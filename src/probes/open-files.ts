/**
 * What a process tree has open or mapped right now, from /proc: the `/proc/<pid>/fd` links and the
 * file column of `/proc/<pid>/maps`, for the service's processes (found through
 * `/proc/<pid>/task/<tid>/children`, which costs nothing like a walk of all of /proc). A sample sees
 * only what is open at that instant: a file opened, read and closed between two samples is missed —
 * the fanotify watcher is what sees those.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface FileSighting {
  readonly pid: number;
  readonly command: string;
  readonly path: string;
  /** fd: an open descriptor; map: a memory mapping. */
  readonly via: 'fd' | 'map';
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The root and every descendant, by the kernel's own children lists. */
export function processTreeOf(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0 && found.length < 4096) {
    const pid = queue.shift()!;
    if (found.includes(pid)) continue;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    found.push(pid);
    for (const task of tasks) {
      for (const child of (read(`/proc/${pid}/task/${task}/children`) ?? '').split(' ')) if (child.trim()) queue.push(Number(child));
    }
  }
  return found;
}

export function commandOf(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim() || '?';
}

/** Each file of the tree's that `wanted` picks, as open descriptors and mappings. */
export function sampleOpenFiles(root: number, wanted: (path: string) => boolean): FileSighting[] {
  const sightings: FileSighting[] = [];
  for (const pid of processTreeOf(root)) {
    const seen: Array<{ path: string; via: 'fd' | 'map' }> = [];
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('/') && wanted(target)) seen.push({ path: target, via: 'fd' });
      } catch {
        // closed while we looked
      }
    }
    for (const line of (read(`/proc/${pid}/maps`) ?? '').split('\n')) {
      const file = line.slice(line.indexOf('/'));
      if (line.includes('/') && wanted(file) && !seen.some((s) => s.path === file && s.via === 'map')) seen.push({ path: file, via: 'map' });
    }
    if (seen.length > 0) {
      const command = commandOf(pid);
      for (const sighting of seen) sightings.push({ pid, command, ...sighting });
    }
  }
  return sightings;
}
