/**
 * Can this torch use these GPUs? One check per rule, each with the measured value, a verdict and a
 * one-line fix: a CUDA build at all; the driver's CUDA ≥ torch's; torch.cuda.is_available(); every GPU
 * the service will use in torch's arch list; cuDNN; free memory on the GPU the service will use.
 */
import type { NvidiaFacts } from '../../probes/nvidia.js';
import { archSupport, type TorchFacts } from '../../probes/torch.js';
import { compareVersions, parseVersion } from '../../model/version-range.js';
import type { CheckResult } from '../../model/record.js';
import { visibleGpus } from './visible-gpus.js';

export interface CudaRuleInput {
  readonly torch: TorchFacts;
  /** nvidia-smi's facts, or why there are none. */
  readonly nvidia: NvidiaFacts | { readonly message: string };
  readonly required: boolean;
  readonly visibleDevices?: string;
  /** The plan's need (environment.nvidia.minFreeMiB). */
  readonly minFreeMiB?: number;
}

type Rule = Omit<CheckResult, 'status'> & { readonly ok: boolean | null };

const MiB = 1024 ** 2;

/** PyTorch's wheel index for the driver's CUDA (e.g. 12.4 → cu124): a build no newer than the driver. */
function wheelIndex(driverCuda: string | undefined): string {
  const [major, minor] = parseVersion(driverCuda ?? '') ?? [];
  const tag = major !== undefined ? `cu${major}${minor ?? 0}` : 'cu121';
  return `https://download.pytorch.org/whl/${tag}${major === undefined ? ' (pick the CUDA version the driver supports: nvidia-smi shows it)' : ''}`;
}

const driverCudaOf = (input: CudaRuleInput) => ('driverVersion' in input.nvidia ? input.nvidia.cudaVersion : undefined);

function driverRule(input: CudaRuleInput, torchCuda: string): Rule {
  const base = { id: 'torch-driver-cuda', title: 'Driver CUDA', required: `≥ CUDA ${torchCuda} (torch's build)` };
  const driver = driverCudaOf(input);
  if (driver === undefined) {
    const why = 'driverVersion' in input.nvidia ? 'nvidia-smi shows no CUDA version' : input.nvidia.message;
    return { ...base, ok: null, measured: `the driver's CUDA version is unknown: ${why}` };
  }
  const ok = compareVersions(parseVersion(driver) ?? [], parseVersion(torchCuda) ?? []) >= 0;
  return { ...base, ok, measured: `driver supports CUDA ${driver}, torch is built for CUDA ${torchCuda}`, ...(ok ? {} : { fix: `upgrade the NVIDIA driver to one for CUDA ≥ ${torchCuda}, or install torch built for it: pip install torch --index-url ${wheelIndex(driver)}` }) };
}

function availableRule(input: CudaRuleInput): Rule {
  const { torch } = input;
  const base = { id: 'torch-cuda-available', title: 'torch.cuda', required: 'is_available() True' };
  if (torch.cudaAvailable) return { ...base, ok: true, measured: `is_available() True, ${torch.devices.length} device(s)` };
  const visible = input.visibleDevices === undefined ? '' : ` (CUDA_VISIBLE_DEVICES=${input.visibleDevices})`;
  return { ...base, ok: false, measured: `is_available() False${torch.cudaError ? `: ${torch.cudaError}` : ''}`, fix: `torch reaches no GPU: check that nvidia-smi answers, CUDA_VISIBLE_DEVICES${visible}, and the driver's CUDA` };
}

/** The GPUs the service will use: torch's own view when it has one, else nvidia-smi's, through CUDA_VISIBLE_DEVICES. */
function archRule(input: CudaRuleInput): Rule {
  const { torch } = input;
  const base = { id: 'torch-arch', title: 'GPU architecture', required: "every GPU the service uses in torch's arch list" };
  if (torch.archList.length === 0) return { ...base, ok: null, measured: "torch's arch list is empty (torch reports it only when CUDA is available)" };
  const fromSmi = 'gpus' in input.nvidia ? visibleGpus(input.nvidia.gpus, input.visibleDevices).gpus : [];
  const gpus = torch.devices.length > 0
    ? torch.devices.map((d) => ({ label: `cuda:${d.index} ${d.name}`, capability: d.capability }))
    : fromSmi.map((g) => ({ label: `GPU ${g.index} ${g.name}`, capability: g.computeCapability }));
  if (gpus.length === 0 || gpus.some((g) => g.capability === undefined)) return { ...base, ok: null, measured: 'the compute capability of the GPUs the service will use is not known' };
  const verdicts = gpus.map((g) => ({ ...g, arch: `sm_${g.capability!.replace('.', '')}`, ...archSupport(g.capability!, torch.archList) }));
  const unsupported = verdicts.filter((v) => v.support === 'unsupported');
  return {
    ...base,
    ok: unsupported.length === 0,
    measured: verdicts.map((v) => `${v.label} ${v.arch}: ${v.support}${v.via ? ` (${v.via})` : ''}`).join('; '),
    ...(unsupported.length ? { fix: `install a torch build whose arch list has ${unsupported.map((v) => v.arch).join(', ')} (a newer torch and CUDA); it has ${torch.archList.join(' ')}` } : {}),
  };
}

function cudnnRule(torch: TorchFacts): Rule {
  const base = { id: 'torch-cudnn', title: 'cuDNN', required: 'present (torch uses CUDA)' };
  return torch.cudnn
    ? { ...base, ok: true, measured: `cuDNN ${torch.cudnn}` }
    : { ...base, ok: false, measured: 'torch.backends.cudnn.version() is None', fix: "reinstall torch's CUDA build from PyTorch's index: its wheels bring cuDNN (nvidia-cudnn-cu12)" };
}

function freeMemoryRule(torch: TorchFacts, minFreeMiB: number): Rule {
  const base = { id: 'torch-gpu-memory', title: 'Free GPU memory (torch)', required: `≥ ${minFreeMiB} MiB on cuda:0` };
  const device = torch.devices[0];
  if (!device) return { ...base, ok: null, measured: 'torch sees no GPU, so it cannot measure one' };
  const free = Math.floor(device.freeBytes / MiB);
  const ok = free >= minFreeMiB;
  return { ...base, ok, measured: `${free} MiB free on cuda:0 ${device.name} (torch.cuda.mem_get_info)`, ...(ok ? {} : { fix: 'stop other processes on that GPU, or point CUDA_VISIBLE_DEVICES (service.env) at one with room' }) };
}

export function cudaRules(input: CudaRuleInput): CheckResult[] {
  const { torch } = input;
  const status = (ok: boolean | null): CheckResult['status'] => (ok === true ? 'passed' : ok === false ? (input.required ? 'failed' : 'warned') : input.required ? 'inconclusive' : 'skipped');
  const build: Rule = { id: 'torch-cuda-build', title: 'PyTorch CUDA build', required: 'a CUDA build', ok: torch.cuda !== null, measured: torch.cuda ? `built for CUDA ${torch.cuda}` : `torch ${torch.version} is a CPU-only build (torch.version.cuda is None)` };
  const rules: Rule[] = [build];
  if (torch.cuda === null) {
    // The other rules all follow from this one: one failure, one fix.
    const version = torch.version.replace(/\+.*$/, '');
    rules[0] = { ...build, fix: `install a CUDA build in the service's venv: pip install --force-reinstall torch==${version} --index-url ${wheelIndex(driverCudaOf(input))}` };
  } else {
    rules.push(driverRule(input, torch.cuda), availableRule(input), archRule(input), cudnnRule(torch));
    if (input.minFreeMiB !== undefined) rules.push(freeMemoryRule(torch, input.minFreeMiB));
  }
  return rules.map(({ ok, ...rule }) => ({ ...rule, status: status(ok) }));
}
