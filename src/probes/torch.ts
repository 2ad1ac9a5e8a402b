/**
 * PyTorch as the service's Python sees it (run after install; importing torch takes seconds),
 * and whether it can use this driver and these GPUs.
 */
import { commonFailure, failed, missing, runProbe, unanswered } from './common.js';
import type { ProbeOptions, ProbeResult } from './types.js';
import { compareVersions } from '../model/version-range.js';

/** Prints exactly one JSON object on stdout; never a traceback for a missing torch. */
export const TORCH_PROBE_SCRIPT = `
import json, sys
try:
    import torch
except ImportError as error:
    print(json.dumps({"error": "torch not installed", "detail": str(error)}))
    sys.exit(0)
out = {"torch": str(torch.__version__), "cuda": torch.version.cuda, "cudnn": None,
       "cudaAvailable": False, "archList": [], "devices": []}
try:
    out["cudnn"] = torch.backends.cudnn.version()
except Exception as error:
    out["cudnnError"] = str(error)
try:
    out["cudaAvailable"] = bool(torch.cuda.is_available())
    if out["cudaAvailable"]:
        out["archList"] = list(torch.cuda.get_arch_list())
        for i in range(torch.cuda.device_count()):
            free, total = torch.cuda.mem_get_info(i)
            major, minor = torch.cuda.get_device_capability(i)
            out["devices"].append({"index": i, "name": torch.cuda.get_device_name(i),
                                   "capability": [major, minor], "freeBytes": free, "totalBytes": total})
except Exception as error:
    out["cudaError"] = str(error)
print(json.dumps(out))
`;

export interface TorchDevice {
  readonly index: number;
  readonly name: string;
  /** "8.0" */
  readonly capability: string;
  readonly freeBytes: number;
  readonly totalBytes: number;
}

export interface TorchFacts {
  /** "2.3.1+cu121" */
  readonly version: string;
  /** CUDA version torch was built with; null for a CPU-only build. */
  readonly cuda: string | null;
  /** "8.9.2"; null when torch has no cuDNN. */
  readonly cudnn: string | null;
  readonly cudaAvailable: boolean;
  readonly archList: readonly string[];
  readonly devices: readonly TorchDevice[];
  /** Why CUDA could not be queried, when it raised. */
  readonly cudaError?: string;
}

/** cuDNN encodes 8.9.2 as 8902 and 9.1.0 as 90100. */
export function formatCudnnVersion(code: number): string {
  const [major, rest] = code >= 90000 ? [Math.floor(code / 10000), code % 10000] : [Math.floor(code / 1000), code % 1000];
  return `${major}.${Math.floor(rest / 100)}.${rest % 100}`;
}

interface RawProbe {
  error?: string; detail?: string; torch?: string; cuda?: string | null; cudnn?: number | null;
  cudaAvailable?: boolean; archList?: string[]; cudaError?: string;
  devices?: Array<{ index: number; name: string; capability: [number, number]; freeBytes: number; totalBytes: number }>;
}

/** The last JSON line of the probe's stdout (anything torch printed before it is ignored). */
export function parseTorchProbe(stdout: string): ProbeResult<TorchFacts> {
  const line = stdout.split(/\r?\n/).reverse().find((l) => l.trim().startsWith('{'));
  let raw: RawProbe;
  try {
    raw = JSON.parse(line ?? '') as RawProbe;
  } catch {
    // Our own script printed what cannot be read (it prints one JSON line; a torch that raises on import ends it non-zero):
    // the question was not answered, so it is no answer that torch is broken.
    return unanswered(`the torch probe printed no JSON: ${stdout.trim().slice(-200) || '(nothing)'}`);
  }
  if (raw.error) return raw.error === 'torch not installed' ? missing(`torch not installed${raw.detail ? ` (${raw.detail})` : ''}`) : failed(raw.error);
  if (typeof raw.torch !== 'string') return unanswered('the torch probe printed no torch version');
  return {
    ok: true,
    version: raw.torch,
    cuda: raw.cuda ?? null,
    cudnn: typeof raw.cudnn === 'number' ? formatCudnnVersion(raw.cudnn) : null,
    cudaAvailable: raw.cudaAvailable === true,
    archList: raw.archList ?? [],
    devices: (raw.devices ?? []).map((d) => ({ ...d, capability: d.capability.join('.') })),
    ...(raw.cudaError ? { cudaError: raw.cudaError } : {}),
  };
}

/** Runs the probe script with the given Python (e.g. the service's `.venv/bin/python`). */
export async function probeTorch(python = 'python3', options: ProbeOptions = {}): Promise<ProbeResult<TorchFacts>> {
  const result = await runProbe(python, ['-c', TORCH_PROBE_SCRIPT], { timeoutMs: 120_000, ...options });
  const failure = commonFailure(result, python);
  if (failure) return failure;
  return parseTorchProbe(result.stdout);
}

export type ArchSupport = 'native' | 'binary-compatible' | 'ptx' | 'unsupported';

/**
 * Which arch-list entry runs on a GPU of capability major.minor: a cubin (sm_XY) runs on the same
 * major with minor ≥ Y ("sm_90a" only on 9.0 itself); PTX (compute_XY) is JIT-compiled for any ≥ XY.
 */
export function archSupport(capability: string, archList: readonly string[]): { support: ArchSupport; via?: string } {
  const [major = 0, minor = 0] = capability.split('.').map(Number);
  const entries = archList.flatMap((entry) => {
    const m = /^(sm|compute)_(\d+)([a-z]?)$/.exec(entry);
    return m?.[2] ? [{ entry, kind: m[1], major: Math.floor(Number(m[2]) / 10), minor: Number(m[2]) % 10, specific: m[3] !== '' }] : [];
  }).sort((a, b) => compareVersions([a.major, a.minor], [b.major, b.minor]));
  const native = entries.find((e) => e.kind === 'sm' && e.major === major && e.minor === minor);
  if (native) return { support: 'native', via: native.entry };
  const binary = entries.filter((e) => e.kind === 'sm' && !e.specific && e.major === major && e.minor < minor).at(-1);
  if (binary) return { support: 'binary-compatible', via: binary.entry };
  const ptx = entries.filter((e) => e.kind === 'compute' && !e.specific && compareVersions([e.major, e.minor], [major, minor]) <= 0).at(-1);
  return ptx ? { support: 'ptx', via: ptx.entry } : { support: 'unsupported' };
}
