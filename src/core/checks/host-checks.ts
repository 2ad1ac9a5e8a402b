/** Checks of the host: disk, ports (the NVIDIA checks are in nvidia-checks.ts). */
import { formatBytes } from '../../model/format.js';
import { probeDisk } from '../../probes/disk.js';
import { probePort } from '../../probes/ports.js';
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

export async function portChecks(ports: readonly number[]): Promise<CheckResult[]> {
  return Promise.all(
    ports.map(async (port): Promise<CheckResult> => {
      const status = await probePort(port);
      const holder = status.holder ? ` by pid ${status.holder.pid} (${status.holder.command})` : '';
      return status.free
        ? { id: `port-${port}`, title: `Port ${port}`, status: 'passed', measured: 'free', required: 'free' }
        : { id: `port-${port}`, title: `Port ${port}`, status: 'failed', measured: `in use${holder}: ${status.conflict ?? ''}`, required: 'free', fix: `stop what listens on ${port}${status.holder ? ` (kill ${status.holder.pid})` : ''}` };
    }),
  );
}
