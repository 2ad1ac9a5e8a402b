/**
 * NVIDIA driver, CUDA version and GPUs straight from nvidia-smi (systeminformation finds GPUs via
 * lspci first and lacks compute capability and CUDA version). Memory figures are MiB.
 */
import { describeFailure, type RunResult } from '../adapters/run.js';
import { failed, missing, runProbe, unanswered, wasUnanswered } from './common.js';
import type { ProbeFailure, ProbeOptions, ProbeResult } from './types.js';

export interface GpuInfo {
  readonly index: number;
  /** "GPU-8d2…": what --query-compute-apps names a GPU by. */
  readonly uuid: string;
  readonly name: string;
  readonly driverVersion: string;
  /** null when the driver reports [N/A] (e.g. unified-memory parts such as GH200). */
  readonly memoryTotalMiB: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryFreeMiB: number | null;
  /** "8.6"; undefined on drivers that cannot report it. */
  readonly computeCapability?: string;
  /** MIG mode is on: the GPU is split into instances, each with memory of its own. */
  readonly mig?: boolean;
}

export interface NvidiaFacts {
  readonly driverVersion: string;
  /** Highest CUDA version the driver supports, from the nvidia-smi header. */
  readonly cudaVersion?: string;
  readonly gpus: readonly GpuInfo[];
  /** Query fields this driver does not know (e.g. compute_cap before driver 510). */
  readonly unknownFields?: readonly string[];
}

const FIELDS = ['index', 'uuid', 'name', 'driver_version', 'memory.total', 'memory.used', 'memory.free', 'compute_cap', 'mig.mode.current'];
/** Newer fields: one unknown field fails the whole query, so these are dropped on an older driver. */
const OPTIONAL_FIELDS = ['compute_cap', 'mig.mode.current'];
export const CSV_FORMAT = '--format=csv,noheader,nounits';

export function csvRows(text: string): string[][] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line) => line.split(',').map((cell) => cell.trim()));
}

/** A MiB figure, or null for [N/A], [Not Supported] and the like. */
export function mib(cell: string | undefined): number | null {
  const value = Number(cell);
  return cell !== undefined && cell !== '' && Number.isFinite(value) ? value : null;
}

/** Rows of `--query-gpu=<fields>`, read by field name (the field list shrinks on older drivers). */
export function parseGpuQuery(csv: string, fields: readonly string[] = FIELDS): GpuInfo[] {
  return csvRows(csv).map((cells, row) => {
    // A GPU name never contains a comma, so the cells are positional.
    const cell = (field: string) => cells[fields.indexOf(field)];
    const cap = cell('compute_cap');
    const mig = cell('mig.mode.current');
    const index = Number(cell('index'));
    return {
      index: Number.isInteger(index) ? index : row,
      uuid: cell('uuid') ?? '',
      name: cell('name') ?? '',
      driverVersion: cell('driver_version') ?? '',
      memoryTotalMiB: mib(cell('memory.total')),
      memoryUsedMiB: mib(cell('memory.used')),
      memoryFreeMiB: mib(cell('memory.free')),
      ...(cap && /^\d+\.\d+$/.test(cap) ? { computeCapability: cap } : {}),
      ...(mig === 'Enabled' || mig === 'Disabled' ? { mig: mig === 'Enabled' } : {}),
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

/** nvidia-smi's exit codes that mean "asked, and no": the driver, the GPU or its library is not usable. */
const BROKEN_EXITS: Readonly<Record<number, string>> = {
  8: 'external power cables are not attached',
  9: "couldn't communicate with the NVIDIA driver",
  10: 'the kernel detected an interrupt issue with a GPU',
  12: 'the NVML shared library could not be found',
  14: "a GPU's infoROM is corrupted",
  15: 'a GPU has fallen off the bus',
};

/**
 * nvidia-smi prints its driver errors on stdout. A driver that does not answer, a GPU off the bus: the probe
 * ran and its answer is that the GPU cannot be used (failed). A timeout, a signal, no permission (exit 4):
 * the question went unanswered (inconclusive).
 */
export function nvidiaFailure(result: RunResult): ProbeFailure | undefined {
  if (result.missing) return missing('nvidia-smi not found: no NVIDIA driver on this machine');
  if (result.exitCode === 0) return undefined;
  if (wasUnanswered(result)) return unanswered(describeFailure(result));
  const text = `${result.stdout}\n${result.stderr}`;
  if (result.exitCode === 9 || /couldn't communicate with the NVIDIA driver/i.test(text)) {
    return failed(`nvidia-smi couldn't communicate with the NVIDIA driver (exit ${result.exitCode}): the GPU cannot be used until the driver is loaded`);
  }
  const broken = BROKEN_EXITS[result.exitCode ?? -1];
  if (broken) return failed(`nvidia-smi: ${broken} (exit ${result.exitCode}): ${describeFailure(result)}`);
  if (result.exitCode === 4) return unanswered(`nvidia-smi was refused permission (exit 4): ${describeFailure(result)}`);
  // Any other error (an argument this driver does not take, a query not supported here): the question, not the GPU.
  return unanswered(describeFailure(result));
}

const VERSION = /^\d+(?:\.\d+)+$/;

/** A row nvidia-smi really printed: a driver version and an index where they belong (not garbage). */
export function isGpuRow(gpu: GpuInfo): boolean {
  return VERSION.test(gpu.driverVersion) && gpu.name !== '';
}

/** Which field an older driver refused: `Field "compute_cap" is not a valid field to query.` */
function refusedFields(result: RunResult, asked: readonly string[]): string[] | undefined {
  const text = `${result.stdout}${result.stderr}`;
  if (result.exitCode === 0 || !/not a valid field/i.test(text)) return undefined;
  const named = /Field "([^"]+)" is not a valid field/i.exec(text)?.[1];
  return named && asked.includes(named) ? [named] : asked.filter((field) => OPTIONAL_FIELDS.includes(field));
}

export async function queryGpus(options: ProbeOptions = {}): Promise<ProbeResult<{ gpus: GpuInfo[]; unknownFields: string[] }>> {
  let fields = FIELDS;
  const unknownFields: string[] = [];
  for (;;) {
    const result = await runProbe('nvidia-smi', [`--query-gpu=${fields.join(',')}`, CSV_FORMAT], options);
    const refused = refusedFields(result, fields);
    if (!refused || refused.length === 0 || refused.some((field) => !OPTIONAL_FIELDS.includes(field))) {
      const failure = nvidiaFailure(result);
      if (failure) return failure;
      const gpus = parseGpuQuery(result.stdout, fields);
      if (gpus.length > 0 && !gpus.every(isGpuRow)) {
        return unanswered(`nvidia-smi printed what cannot be read as GPU rows: ${JSON.stringify(result.stdout.trim().slice(0, 120))}`);
      }
      return { ok: true, gpus, unknownFields };
    }
    unknownFields.push(...refused);
    fields = fields.filter((field) => !refused.includes(field));
  }
}

export async function probeNvidia(options: ProbeOptions = {}): Promise<ProbeResult<NvidiaFacts>> {
  const [query, header] = await Promise.all([queryGpus(options), runProbe('nvidia-smi', [], options)]);
  if (!query.ok) return query;
  const headerText = header.exitCode === 0 ? header.stdout : '';
  const driverVersion = query.gpus[0]?.driverVersion || parseDriverVersion(headerText);
  if (!driverVersion) return query.gpus.length === 0 && header.exitCode === 0 && !parseDriverVersion(header.stdout) && header.stdout.trim() !== ''
    ? unanswered(`nvidia-smi printed what cannot be read: ${JSON.stringify(header.stdout.trim().slice(0, 120))}`)
    : failed('nvidia-smi listed no GPU');
  const cudaVersion = parseCudaVersion(headerText);
  return {
    ok: true,
    driverVersion,
    ...(cudaVersion ? { cudaVersion } : {}),
    gpus: query.gpus,
    ...(query.unknownFields.length ? { unknownFields: query.unknownFields } : {}),
  };
}
