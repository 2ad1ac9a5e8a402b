/**
 * Watching which model files the service really opens, while `start` and `assert` run: fanotify where
 * the drill may use it (root), which misses no open however quick; and /proc sampling of the service's
 * process tree throughout (every 25 ms), which sees memory mappings and is the fallback elsewhere.
 * Besides the restored files it looks for files with a model's name or size elsewhere: every open in
 * the model caches (~/.cache/whisper, huggingface, torch — of the drill's HOME and the node's), and
 * any file the service holds open or mapped when a sample looks. The proof that the restored bytes
 * were used is also a proof that no other copy was.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOpenWatch, type OpenWatch } from '../adapters/open-watch.js';
import { DEFAULT_MODEL_GLOBS } from '../plan/schema-service.js';
import { sampleOpenFiles } from '../probes/open-files.js';

export interface WatchedModel {
  /** As in the backup, e.g. models/large-v3.pt. */
  readonly path: string;
  readonly absolute: string;
  readonly size: number;
  readonly sha256: string;
}

/** One sighting of a file by a process: opened (fanotify), or open or mapped when a sample looked. */
export interface Sighting {
  readonly pid: number;
  readonly command: string;
  readonly path: string;
  readonly via: 'open' | 'fd' | 'map';
  /** fanotify: the opener and its ancestors; undefined for a sample, which looks at the service's tree only. */
  readonly ancestry?: readonly number[];
}

export interface WatchResult {
  readonly method: 'fanotify' | 'proc-sampling';
  /** What the method could not see, and why. */
  readonly notes: readonly string[];
  readonly sightings: readonly Sighting[];
  readonly samples: number;
}

export interface ModelWatch {
  /** Settles once the fanotify watcher is watching (or has been given up for /proc samples). */
  ready(): Promise<void>;
  /** Whether a service was attached: there is something to judge. */
  readonly attached: boolean;
  /** Starts sampling the service's tree, once it has a pid. */
  attach(servicePid: number): void;
  /** Stops watching; safe to call more than once. */
  finish(): Promise<WatchResult>;
}

/** Files this small are not models: a size match would be chance. */
const MIN_MODEL_BYTES = 1024 * 1024;
const SAMPLE_EVERY_MS = 25;
/** A path worth a size check: one the default service.models globs would name. */
const MODEL_EXTENSION = new RegExp(`\\.(${DEFAULT_MODEL_GLOBS.map((glob) => glob.replace('*.', '')).join('|')})$`, 'i');

/** Where a Whisper service finds a model by name, under a home: whisper's, Hugging Face's, torch's caches. */
const MODEL_CACHES = ['.cache/whisper', '.cache/huggingface', '.cache/torch'];
const MAX_WATCHED_DIRS = 2000;

/** Every folder of the model caches under the homes (the drill's scratch one and the node's), to a limit. */
function cacheDirs(homes: readonly string[]): { dirs: string[]; truncated: boolean } {
  const dirs: string[] = [];
  const queue = [...new Set([os.homedir(), ...homes].flatMap((home) => MODEL_CACHES.map((cache) => path.resolve(home, cache))))];
  while (queue.length > 0 && dirs.length < MAX_WATCHED_DIRS) {
    const dir = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    dirs.push(dir);
    for (const entry of entries) if (entry.isDirectory()) queue.push(path.join(dir, entry.name));
  }
  return { dirs, truncated: queue.length > 0 };
}

/**
 * Starts watching at once and returns without waiting: the drill starts it while install runs, so the
 * watcher's own start (a python3, ~50 ms) costs the service's start nothing.
 */
export function watchModelFiles(models: readonly WatchedModel[], options: { homes?: readonly string[]; python?: string } = {}): ModelWatch {
  const restored = new Set(models.map((m) => m.absolute));
  const names = new Set(models.map((m) => path.basename(m.absolute)));
  const sizes = new Set(models.map((m) => m.size).filter((size) => size >= MIN_MODEL_BYTES));
  const sized = new Map<string, number | undefined>();
  const sizeOf = (file: string) => {
    if (!sized.has(file)) {
      try {
        sized.set(file, statSync(file).size);
      } catch {
        sized.set(file, undefined);
      }
    }
    return sized.get(file);
  };
  const wanted = (file: string) => restored.has(file) || names.has(path.basename(file)) || (MODEL_EXTENSION.test(file) && sizes.has(sizeOf(file) ?? -1));

  const notes: string[] = [];
  const caches = cacheDirs(options.homes ?? []);
  if (caches.truncated) notes.push(`only the first ${MAX_WATCHED_DIRS} folders of the model caches are watched for opens; the rest are sampled`);
  let fanotify: OpenWatch | undefined;
  const started =
    models.length === 0
      ? Promise.resolve()
      : startOpenWatch({ files: [...restored], dirs: caches.dirs, names: [...names], sizes: [...sizes] }, options.python).then(
          (watch) => {
            fanotify = watch;
            for (const refused of watch.refused) notes.push(`opens in ${refused.path} are not watched (${refused.error}): a copy there is seen only if a sample catches it open`);
          },
          (error: Error) => {
            notes.push(`fanotify could not be used (${error.message}): /proc is sampled every ${SAMPLE_EVERY_MS} ms, which misses a file opened, read and closed between two samples`);
          },
        );

  const sightings = new Map<string, Sighting>();
  let samples = 0;
  let timer: NodeJS.Timeout | undefined;
  let root: number | undefined;
  const sample = () => {
    if (root === undefined) return;
    samples += 1;
    for (const seen of sampleOpenFiles(root, wanted)) sightings.set(`${seen.pid}:${seen.via}:${seen.path}`, seen);
  };
  let finished: Promise<WatchResult> | undefined;
  return {
    ready: () => started,
    get attached() {
      return root !== undefined;
    },
    attach(servicePid) {
      root = servicePid;
      sample();
      timer ??= setInterval(sample, SAMPLE_EVERY_MS);
      timer.unref();
    },
    finish() {
      finished ??= (async () => {
        if (timer) clearInterval(timer);
        sample();
        await started;
        await fanotify?.stop();
        const opened: Sighting[] = (fanotify?.seen ?? []).map((seen) => ({ pid: seen.pid, command: seen.command, path: seen.path, via: 'open', ancestry: seen.ancestry }));
        return { method: fanotify ? 'fanotify' : 'proc-sampling', notes, sightings: [...opened, ...sightings.values()], samples };
      })();
      return finished;
    },
  };
}
