/**
 * "Model resident on GPU", measured for the service alone: the memory nvidia-smi attributes to the
 * service's own process tree, per GPU. A figure that could belong to another process proves nothing,
 * so when none of the service's processes is visible to the driver the assertion could not be run.
 */
import { processTree, readProcessTable, type ProcessEntry } from '../../adapters/process-table.js';
import { queryComputeApps, type ComputeApp } from '../../probes/gpu-processes.js';
import { queryGpus, type GpuInfo } from '../../probes/nvidia.js';
import type { ProbeOptions } from '../../probes/types.js';
import type { AssertionResult, GpuProcess } from '../../model/record.js';
import type { GpuMemoryAssertion } from '../../plan/types.js';

export type GpuMemoryMeasure =
  /** The service's processes and their memory (an empty list: the driver sees the others, not the service). */
  | { readonly kind: 'measured'; readonly serviceMiB: number; readonly processes: readonly GpuProcess[]; readonly note: string }
  /** Nothing can be said about the service's share. */
  | { readonly kind: 'unmeasured'; readonly reason: string; readonly processes: readonly GpuProcess[] }
  /** The driver answered that no GPU can be used (e.g. not loaded): the model cannot be resident. */
  | { readonly kind: 'broken'; readonly reason: string; readonly processes: readonly GpuProcess[] };

const describe = (p: GpuProcess) => `pid ${p.pid} ${p.processName} ${p.usedMiB === null ? '[N/A]' : `${p.usedMiB} MiB`} on GPU ${p.gpu}`;

export function describeGpuProcesses(processes: readonly GpuProcess[]): string {
  return processes.map(describe).join(', ');
}

/** Pure: which rows of --query-compute-apps are the service's, given the host's process table. */
export function attributeGpuMemory(apps: readonly ComputeApp[], gpus: readonly GpuInfo[], tree: readonly ProcessEntry[], hostPids: ReadonlySet<number>): GpuMemoryMeasure {
  const servicePids = new Set(tree.map((entry) => entry.pid));
  const gpuOf = (uuid: string) => gpus.find((gpu) => gpu.uuid === uuid)?.index ?? uuid;
  const processes = apps.map((app): GpuProcess => ({
    pid: app.pid,
    processName: app.processName,
    gpu: gpuOf(app.gpuUuid),
    usedMiB: app.usedMemoryMiB,
    holder: servicePids.has(app.pid) ? 'service' : hostPids.has(app.pid) ? 'other' : 'unknown',
  }));
  const service = processes.filter((p) => p.holder === 'service');
  const unknown = processes.filter((p) => p.holder === 'unknown');
  const treeText = `process tree ${tree.map((entry) => entry.pid).join(', ') || '(gone)'}`;
  if (service.length > 0) {
    const unreported = service.find((p) => p.usedMiB === null);
    if (unreported) return { kind: 'unmeasured', reason: `nvidia-smi reports no memory figure ([N/A]) for the service's ${describe(unreported)}`, processes };
    const perGpu = new Map<string | number, number>();
    for (const p of service) perGpu.set(p.gpu, (perGpu.get(p.gpu) ?? 0) + (p.usedMiB ?? 0));
    const note = [...perGpu].map(([gpu, used]) => `GPU ${gpu}: ${used} MiB`).join(', ');
    return { kind: 'measured', serviceMiB: [...perGpu.values()].reduce((a, b) => a + b, 0), processes, note: `${note} (${describeGpuProcesses(service)})` };
  }
  if (apps.length > 0 && unknown.length === 0) {
    // Every holder is a process of this host outside the service's tree: the service holds nothing.
    return { kind: 'measured', serviceMiB: 0, processes, note: `none of it is the service's (${treeText}): held by ${describeGpuProcesses(processes)}` };
  }
  const listed = apps.length === 0
    ? 'nvidia-smi lists no process using a GPU'
    : `nvidia-smi lists ${describeGpuProcesses(unknown)}, PIDs that do not exist here (a container whose PIDs the host driver does not show?)`;
  return { kind: 'unmeasured', reason: `none of the service's processes (${treeText}) is visible to nvidia-smi: ${listed}`, processes };
}

/** Measures the GPU memory of the service whose process group is `pgid`. */
export async function measureServiceGpuMemory(pgid: number, options: ProbeOptions): Promise<GpuMemoryMeasure> {
  const [apps, gpus] = await Promise.all([queryComputeApps(options), queryGpus(options)]);
  if (!apps.ok) return { kind: apps.reason === 'failed' ? 'broken' : 'unmeasured', reason: apps.message, processes: [] };
  const table = readProcessTable();
  if (!table) return { kind: 'unmeasured', reason: 'no /proc on this host: the service\'s processes cannot be told apart', processes: [] };
  return attributeGpuMemory(apps.apps, gpus.ok ? gpus.gpus : [], processTree(pgid, table), new Set(table.map((entry) => entry.pid)));
}

/** The assertion's outcome: within range, outside it, or could not run (never a pass without the service's own figure). */
export async function gpuMemoryAssertion(assertion: GpuMemoryAssertion, servicePgid: number, options: ProbeOptions): Promise<AssertionResult> {
  const { min, max } = assertion.gpuMemoryMiB;
  const expected = `${min ?? 0}..${max ?? '∞'} MiB held by the service`;
  const base = { name: assertion.name, api: 'nvidia-smi', expected, required: assertion.required, cer: null, latencyMs: null };
  const measure = await measureServiceGpuMemory(servicePgid, options);
  const gpuProcesses = measure.processes.length ? { gpuProcesses: measure.processes } : {};
  if (measure.kind === 'broken') return { ...base, actual: 'no usable GPU', passed: false, detail: measure.reason };
  if (measure.kind === 'unmeasured') return { ...base, actual: '', passed: false, inconclusive: true, detail: measure.reason, ...gpuProcesses };
  const used = measure.serviceMiB;
  const passed = (min === undefined || used >= min) && (max === undefined || used <= max);
  return { ...base, actual: `${used} MiB`, passed, detail: `${passed ? 'within range' : `outside ${expected}`}: ${measure.note}`, ...gpuProcesses };
}
