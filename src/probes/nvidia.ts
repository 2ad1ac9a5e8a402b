/**
 * NVIDIA driver, CUDA version and GPUs straight from nvidia-smi (systeminformation finds GPUs via
 * lspci first and lacks compute capability and CUDA version). Memory figures are MiB.
 */
import { describeFailure, type RunResult } from '../adapters/run.js';
import { failed, missing, runProbe } from './common.js';
import type { ProbeFailure, ProbeOptions, ProbeResult } from './types.js';

export interface GpuInfo {
  readonly index: number;
  readonly name: string;
  readonly driverVersion: string;
  /** null when the driver reports [N/A] (e.g. unified-memory parts). */
  readonly memoryTotalMiB: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryFreeMiB: number | null;
  /** "8.6"; undefined on drivers that cannot report it. */
  readonly computeCapability?: string;
}

export interface NvidiaFacts {
  readonly driverVersion: string;
  /** Highest CUDA version the driver supports, from the nvidia-smi header. */
  readonly cudaVersion?: string;
  readonly gpus: readonly GpuInfo[];
}

export interface ComputeApp {
  readonly pid: number;
  readonly processName: string;
  readonly usedMemoryMiB: number | null;
}

const FIELDS = ['name', 'driver_version', 'memory.total', 'memory.used', 'memory.free', 'compute_cap'];
const FORMAT = '--format=csv,noheader,nounits';

function csvRows(text: string): string[][] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line) => line.split(',').map((cell) => cell.trim()));
}

function mib(cell: string | undefined): number | null {
  const value = Number(cell);
  return cell !== undefined && cell !== '' && Number.isFinite(value) ? value : null;
}

/** Rows of `--query-gpu=name,driver_version,memory.total,memory.used,memory.free[,compute_cap]`. */
export function parseGpuQuery(csv: string): GpuInfo[] {
  return csvRows(csv).map((cells, index) => {
    // A GPU name never contains a comma, so the cells are positional.
    const [name = '', driverVersion = '', total, used, free, cap] = cells;
    const computeCapability = cap && /^\d+\.\d+$/.test(cap) ? cap : undefined;
    return {
      index, name, driverVersion,
      memoryTotalMiB: mib(total), memoryUsedMiB: mib(used), memoryFreeMiB: mib(free),
      ...(computeCapability ? { computeCapability } : {}),
    };
  });
}

/** "CUDA Version: 12.4" from the plain nvidia-smi table. */
export function parseCudaVersion(header: string): string | undefined {
  return /CUDA Version\s*:\s*(\d+(?:\.\d+)*)/.exec(header)?.[1];
}

export function parseDriverVersion(header: string): string | undefined {
  return /Driver Version\s*:\s*(\d+(?:\.\d+)*)/.exec(header)?.[1];
}

/** Rows of `--query-compute-apps=pid,process_name,used_memory`. */
export function parseComputeApps(csv: string): ComputeApp[] {
  return csvRows(csv).flatMap((cells) => {
    const pid = Number(cells[0]);
    if (!Number.isInteger(pid)) return [];
    // A process name may contain commas; the memory is always the last cell.
    return [{ pid, processName: cells.slice(1, -1).join(', '), usedMemoryMiB: mib(cells.at(-1)) }];
  });
}

/** nvidia-smi prints its driver errors on stdout. */
function nvidiaFailure(result: RunResult): ProbeFailure | undefined {
  if (result.missing) return missing('nvidia-smi not found: no NVIDIA driver on this machine');
  if (result.exitCode === 0) return undefined;
  const text = `${result.stdout}\n${result.stderr}`;
  if (result.exitCode === 9 || /couldn't communicate with the NVIDIA driver/i.test(text)) {
    return failed(`nvidia-smi couldn't communicate with the NVIDIA driver (exit ${result.exitCode ?? 'signal'}): is the driver loaded?`);
  }
  return failed(describeFailure(result));
}

async function queryGpus(options: ProbeOptions): Promise<ProbeResult<{ gpus: GpuInfo[] }>> {
  let result = await runProbe('nvidia-smi', [`--query-gpu=${FIELDS.join(',')}`, FORMAT], options);
  // One unknown field fails the whole query; drivers before compute_cap existed get it without.
  if (result.exitCode !== 0 && /not a valid field/i.test(`${result.stdout}${result.stderr}`)) {
    result = await runProbe('nvidia-smi', [`--query-gpu=${FIELDS.slice(0, -1).join(',')}`, FORMAT], options);
  }
  return nvidiaFailure(result) ?? { ok: true, gpus: parseGpuQuery(result.stdout) };
}

export async function probeNvidia(options: ProbeOptions = {}): Promise<ProbeResult<NvidiaFacts>> {
  const [query, header] = await Promise.all([queryGpus(options), runProbe('nvidia-smi', [], options)]);
  if (!query.ok) return query;
  const headerText = header.exitCode === 0 ? header.stdout : '';
  const driverVersion = query.gpus[0]?.driverVersion || parseDriverVersion(headerText);
  if (!driverVersion) return failed('nvidia-smi listed no GPU');
  const cudaVersion = parseCudaVersion(headerText);
  return { ok: true, driverVersion, ...(cudaVersion ? { cudaVersion } : {}), gpus: query.gpus };
}

export async function queryComputeApps(options: ProbeOptions = {}): Promise<ProbeResult<{ apps: ComputeApp[] }>> {
  const result = await runProbe('nvidia-smi', ['--query-compute-apps=pid,process_name,used_memory', FORMAT], options);
  return nvidiaFailure(result) ?? { ok: true, apps: parseComputeApps(result.stdout) };
}

/** GPU memory in use, summed over all GPUs (the "model resident on GPU" assertion). */
export async function gpuMemoryUsedMiB(options: ProbeOptions = {}): Promise<ProbeResult<{ usedMiB: number; gpus: readonly GpuInfo[] }>> {
  const facts = await queryGpus(options);
  if (!facts.ok) return facts;
  if (facts.gpus.length === 0) return failed('nvidia-smi listed no GPU');
  if (facts.gpus.some((gpu) => gpu.memoryUsedMiB === null)) return failed('nvidia-smi reports no memory usage for this GPU ([N/A])');
  return { ok: true, usedMiB: facts.gpus.reduce((sum, gpu) => sum + (gpu.memoryUsedMiB ?? 0), 0), gpus: facts.gpus };
}
