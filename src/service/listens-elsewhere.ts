/**
 * A service that came up on another port than the plan's URL never answers there: the drill would wait
 * out the whole readiness limit with the service alive. Asked between readiness probes, this says so once
 * the service's process tree has listened for `graceMs` on ports none of which is the plan's (nor one of
 * `environment.ports`, the ports the plan knows the service opens).
 */
import { describeListener, listenersOf, type Listener } from '../adapters/listening-ports.js';
import { processTree, readProcessTable } from '../adapters/process-table.js';

export interface ElsewhereOptions {
  readonly pgid: number;
  readonly url: URL;
  readonly knownPorts: readonly number[];
  /** How long the tree must have listened only elsewhere; the probe's interval adds to it. */
  readonly graceMs?: number;
  /** Reads of /proc are spaced by this much (readiness is probed every 50 ms). */
  readonly everyMs?: number;
  readonly listeners?: (pids: readonly number[]) => Promise<Listener[]>;
  readonly now?: () => number;
}

export function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

export function listensElsewhere(options: ElsewhereOptions): () => Promise<string | undefined> {
  const graceMs = options.graceMs ?? 2_000;
  const everyMs = options.everyMs ?? 250;
  const now = options.now ?? (() => performance.now());
  const read = options.listeners ?? listenersOf;
  const wanted = new Set([urlPort(options.url), ...options.knownPorts]);
  let lastRead = -Infinity;
  let since: number | undefined;
  let seen: Listener[] = [];
  return async () => {
    const at = now();
    if (at - lastRead < everyMs) return since !== undefined && at - since >= graceMs ? message() : undefined;
    lastRead = at;
    const table = readProcessTable();
    if (!table) return undefined;
    const listeners = await read(processTree(options.pgid, table).map((entry) => entry.pid));
    if (listeners.length === 0 || listeners.some((l) => wanted.has(l.port))) {
      since = undefined;
      return undefined;
    }
    seen = listeners;
    since ??= at;
    return at - since >= graceMs ? message() : undefined;
  };

  function message(): string {
    const where = [...new Set(seen.map(describeListener))].join(', ');
    return `the service listens on ${where}; the plan's url is ${options.url.origin} (port ${urlPort(options.url)})`;
  }
}
