/** All environment checks of a plan, run concurrently; shared by the drill's environment step and `check`. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { ProcessRunner } from '../../adapters/run.js';
import type { CheckResult } from '../../model/record.js';
import type { EnvironmentPlan, TorchRequirement } from '../../plan/types.js';
import { probeOs } from '../../probes/os-release.js';
import { pipFreeze } from '../../probes/pip.js';
import { diskCheck, portChecks, type RunningService } from './host-checks.js';
import { nvidiaChecks } from './nvidia-checks.js';
import { ffmpegCheck, gitChecks, pythonCheck } from './tool-checks.js';
import { torchCheck, torchNotProbed, type TorchCheckOptions } from './torch-check.js';

async function standaloneTorchCheck(requirement: TorchRequirement, python: string, probe: TorchCheckOptions): Promise<{ checks: CheckResult[]; facts: unknown }> {
  if (!existsSync(python)) return { checks: [torchNotProbed(requirement, python)], facts: { ok: false, reason: 'missing', message: `${python} does not exist` } };
  return torchCheck(requirement, python, probe);
}

export interface EnvironmentCheckOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly runner?: ProcessRunner;
  /** Where the restore goes (its filesystem's free space is checked). */
  readonly workdir?: string;
  readonly signal?: AbortSignal;
  /** `check` only: the service's python for the PyTorch check and pip freeze (a drill probes them after install). */
  readonly servicePython?: string;
  /** CUDA_VISIBLE_DEVICES as the service will get it (undefined: every GPU). */
  readonly visibleDevices?: string;
  /** The service's own PATH (service.env.PATH), when the plan gives it one: the service calls ffmpeg there. */
  readonly servicePath?: string;
  /** `check` only: the service may be running here, and its port held by it is no conflict. */
  readonly runningService?: RunningService;
}

export async function runEnvironmentChecks(
  environment: EnvironmentPlan,
  options: EnvironmentCheckOptions,
  onCheck?: (check: CheckResult) => void,
): Promise<{ checks: CheckResult[]; facts: Record<string, unknown> }> {
  const probe = { env: options.env, signal: options.signal, runner: options.runner };
  const torchOptions = { ...probe, visibleDevices: options.visibleDevices, minFreeMiB: environment.nvidia?.minFreeMiB };
  const facts: Record<string, unknown> = {};
  const report = <T extends CheckResult[]>(checks: T): T => {
    for (const check of checks) onCheck?.(check);
    return checks;
  };
  const groups = await Promise.all([
    gitChecks(probe).then((r) => (Object.assign(facts, r.facts), report(r.checks))),
    environment.python ? pythonCheck(environment.python, probe).then((r) => ((facts['python'] = r.facts), report([r.check]))) : [],
    environment.ffmpeg ? ffmpegCheck(environment.ffmpeg, options.servicePath === undefined ? probe : { ...probe, env: { ...options.env, PATH: options.servicePath } }, options.servicePath).then((r) => ((facts['ffmpeg'] = r.facts), report([r.check]))) : [],
    environment.nvidia ? nvidiaChecks(environment.nvidia, { ...probe, visibleDevices: options.visibleDevices }).then((r) => ((facts['nvidia'] = r.facts), report(r.checks))) : [],
    environment.disk ? diskCheck(environment.disk, options.workdir ?? os.tmpdir()).then((r) => ((facts['disk'] = r.facts), report([r.check]))) : [],
    portChecks(environment.ports, options.runningService).then(report),
    probeOs().then((r) => ((facts['os'] = r), [])),
    options.servicePython && existsSync(options.servicePython) ? pipFreeze(options.servicePython, probe).then((r) => ((facts['pip'] = r), [])) : [],
    environment.torch && options.servicePython ? standaloneTorchCheck(environment.torch, options.servicePython, torchOptions).then((r) => ((facts['torch'] = r.facts), report(r.checks))) : [],
  ]);
  return { checks: groups.flat(), facts };
}

/** Required and unmet → failed; required and not measurable → inconclusive. */
export function summarizeChecks(checks: readonly CheckResult[]): { failed: CheckResult[]; inconclusive: CheckResult[]; warned: CheckResult[] } {
  return {
    failed: checks.filter((c) => c.status === 'failed'),
    inconclusive: checks.filter((c) => c.status === 'inconclusive'),
    warned: checks.filter((c) => c.status === 'warned' || c.status === 'skipped'),
  };
}
