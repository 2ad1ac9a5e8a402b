/**
 * Runs the fanotify watcher (fanotify-watch.ts) beside the service: started before the service is,
 * so its first open is seen, and stopped — its stdin closed, then killed if it lingers — on every path.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { FANOTIFY_WATCH_PY } from './fanotify-watch.js';
import { SYSTEM_PYTHON } from './system-python.js';

export interface OpenSeen {
  readonly pid: number;
  /** The opener, its parent, …: whose process it is. */
  readonly ancestry: readonly number[];
  readonly command: string;
  readonly path: string;
  readonly size: number;
}

export interface WatchSpec {
  readonly files: readonly string[];
  /** Folders whose files' opens are heard of too (the model caches). */
  readonly dirs: readonly string[];
  readonly names: readonly string[];
  readonly sizes: readonly number[];
}

export interface OpenWatch {
  /** The folders whose files' opens are seen too (files with a model's name or size elsewhere). */
  readonly dirs: readonly string[];
  readonly refused: ReadonlyArray<{ readonly path: string; readonly error: string }>;
  /** Every open seen so far. */
  readonly seen: readonly OpenSeen[];
  stop(): Promise<void>;
}

/** Starts the watcher; rejects with its reason when fanotify cannot be used here (not root, old kernel, no python3). */
export function startOpenWatch(spec: WatchSpec, python = SYSTEM_PYTHON, timeoutMs = 10_000): Promise<OpenWatch> {
  const child = spawn(python, ['-I', '-S', '-c', FANOTIFY_WATCH_PY], { stdio: ['pipe', 'pipe', 'pipe'] });
  const seen: OpenSeen[] = [];
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<OpenWatch>((resolve, reject) => {
    let settled = false;
    const give = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(() => give(new Error(`the watcher did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('error', (error) => give(new Error(`${python}: ${error.message}`)));
    child.stdin.on('error', () => undefined);
    void exited.then(() => give(new Error(`the watcher ended: ${stderr.trim().split('\n').at(-1) ?? 'no reason given'}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (!settled && 'ready' in message) {
        if (message.ready !== true) return give(new Error(String(message.error ?? 'the watcher refused')));
        settled = true;
        clearTimeout(timer);
        resolve({ dirs: (message.dirs as string[]) ?? [], refused: (message.refused as OpenWatch['refused']) ?? [], seen, stop });
        return;
      }
      if (typeof message.pid === 'number' && typeof message.path === 'string') seen.push(message as unknown as OpenSeen);
    });
    child.stdin.write(`${JSON.stringify(spec)}\n`);
  });
}
