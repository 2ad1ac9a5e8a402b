/** Checks of the host: NVIDIA driver + CUDA + free GPU memory, disk, ports. */
import { formatBytes } from '../format.js';
import { probeDisk } from '../../probes/disk.js';
import { probeNvidia, type NvidiaFacts } from '../../probes/nvidia.js';
import { probePort } from '../../probes/ports.js';
import type { ProbeOptions, ProbeResult } from '../../probes/types.js';
import { satisfies } from '../../probes/version.js';
import type { CheckResult } from '../model.js';
import type { EnvironmentPlan, NvidiaRequirement } from '../plan/types.js';

const GiB = 1024 ** 3;

export async function nvidiaChecks(requirement: NvidiaRequirement, options: ProbeOptions): Promise<{ checks: CheckResult[]; facts: ProbeResult<NvidiaFacts> }> {
  const facts = await probeNvidia(options);
  const required = requirement.required;
  if (!facts.ok) {
    // No driver on a node that needs one is unmet; a driver that does not answer could not be checked.
    const status: CheckResult['status'] = facts.reason === 'missing' ? (required ? 'failed' : 'skipped') : required ? 'inconclusive' : 'skipped';
    const measured = required ? facts.message : `${facts.message} — GPU checks skipped (optional in this plan)`;
    const check: CheckResult = required
      ? { id: 'nvidia', title: 'NVIDIA driver', status, measured, required: 'an NVIDIA driver and GPU', fix: 'install the NVIDIA driver (nvidia-smi must answer)' }
      : { id: 'nvidia', title: 'NVIDIA driver', status, measured };
    return { checks: [check], facts };
  }
  const unmet: CheckResult['status'] = required ? 'failed' : 'warned';
  const checks: CheckResult[] = [{ id: 'nvidia', title: 'NVIDIA driver', status: 'passed', measured: `driver ${facts.driverVersion}, ${facts.gpus.length} GPU(s): ${facts.gpus.map((g) => g.name).join(', ')}` }];
  if (requirement.cuda) {
    const ok = facts.cudaVersion !== undefined && satisfies(facts.cudaVersion, requirement.cuda);
    checks.push({
      id: 'cuda',
      title: 'CUDA (driver)',
      status: facts.cudaVersion === undefined ? (required ? 'inconclusive' : 'skipped') : ok ? 'passed' : unmet,
      measured: facts.cudaVersion ? `CUDA ${facts.cudaVersion}` : 'CUDA version not shown by nvidia-smi',
      required: `CUDA ${requirement.cuda}`,
      ...(ok ? {} : { fix: 'upgrade the NVIDIA driver to one that supports this CUDA version' }),
    });
  }
  if (requirement.minFreeMiB !== undefined) {
    const best = Math.max(...facts.gpus.map((g) => g.memoryFreeMiB ?? 0));
    const ok = best >= requirement.minFreeMiB;
    checks.push({
      id: 'gpu-memory',
      title: 'Free GPU memory',
      status: ok ? 'passed' : unmet,
      measured: `${best} MiB free on the emptiest GPU`,
      required: `≥ ${requirement.minFreeMiB} MiB`,
      ...(ok ? {} : { fix: 'stop other GPU processes (nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv)' }),
    });
  }
  return { checks, facts };
}

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
