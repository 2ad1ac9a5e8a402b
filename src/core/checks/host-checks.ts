/** Checks of the host: disk, ports (the NVIDIA checks are in nvidia-checks.ts). */
import { formatBytes } from '../../model/format.js';
import { probeDisk } from '../../probes/disk.js';
import { probePort, type PortStatus } from '../../probes/ports.js';
import { waitUntilReady } from '../../service/ready.js';
import type { CheckResult } from '../../model/record.js';
import type { EnvironmentPlan } from '../../plan/types.js';

const GiB = 1024 ** 3;

export async function diskCheck(disk: NonNullable<EnvironmentPlan['disk']>, where: string): Promise<{ check: CheckResult; facts: unknown }> {
  const facts = await probeDisk(where);
  // "auto" is LFS bytes x 2 + 1 GiB: the LFS part is checked once the tag is chosen, the 1 GiB now.
  const neededBytes = disk.minFreeGiB === 'auto' ? GiB : disk.minFreeGiB * GiB;
  const required = disk.minFreeGiB === 'auto' ? `≥ ${formatBytes(neededBytes)} now; LFS size x 2 + 1 GiB once the tag is chosen` : `≥ ${disk.minFreeGiB} GiB`;
  if (!facts.ok) return { check: { id: 'disk', title: 'Free disk', status: 'inconclusive', measured: facts.message, required }, facts };
  const ok = facts.freeBytes >= neededBytes;
  return {
    check: {
      id: 'disk',
      title: 'Free disk',
      status: ok ? 'passed' : 'failed',
      measured: `${formatBytes(facts.freeBytes)} free at ${facts.checkedPath}`,
      required,
      ...(ok ? {} : { fix: 'free space, or pass --workdir on a larger filesystem' }),
    },
    facts,
  };
}

/**
 * `check` on a node whose service runs: the plan's service holding its own port is the node up, not a port
 * another program took. Its readiness URL and what counts as ready there, as the start step asks them.
 */
export interface RunningService {
  readonly readyUrl: string;
  readonly statuses?: readonly number[];
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '[::]']);

/** The port the service's URL names on this host; undefined for a URL of another host. */
export function localPortOf(url: string): number | undefined {
  const parsed = new URL(url);
  if (!LOCAL_HOSTS.has(parsed.hostname)) return undefined;
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}

async function portCheck(port: number, running?: RunningService): Promise<CheckResult> {
  const base = { id: `port-${port}`, title: `Port ${port}`, required: 'free' } as const;
  const status: PortStatus = await probePort(port);
  if (status.free) return { ...base, status: 'passed', measured: 'free' };
  const holder = status.holder ? ` by pid ${status.holder.pid} (${status.holder.command})` : '';
  const busy: CheckResult = { ...base, status: 'failed', measured: `in use${holder}: ${status.conflict ?? ''}`, fix: `stop what listens on ${port}${status.holder ? ` (kill ${status.holder.pid})` : ''}` };
  if (!running || localPortOf(running.readyUrl) !== port) return busy;
  // Asked once (a deadline of 1 ms lets one probe through; the probe itself gives up after 5 s): the service
  // is up already, or it is not what holds the port.
  const answer = await waitUntilReady({ url: running.readyUrl, timeoutMs: 1, signal: new AbortController().signal, hasExited: () => false, ...(running.statuses ? { statuses: running.statuses } : {}) });
  // Ready, or up and asking for its key (check sends none): the service answers on its port.
  if (answer.ready || answer.reason === 'refused') {
    return { ...base, required: 'free, or the service itself', status: 'passed', measured: `in use${holder}, which answers at ${running.readyUrl} (HTTP ${answer.status}): the service is up` };
  }
  const said = answer.status !== undefined ? `HTTP ${answer.status}` : answer.lastError;
  return { ...busy, required: 'free, or the service itself', measured: `${busy.measured}; ${running.readyUrl} answered ${said}, not as the service`, fix: `if that is the service, read its log; if not, ${busy.fix!}` };
}

export async function portChecks(ports: readonly number[], running?: RunningService): Promise<CheckResult[]> {
  return Promise.all(ports.map((port) => portCheck(port, running)));
}
