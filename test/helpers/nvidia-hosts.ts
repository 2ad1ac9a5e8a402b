/**
 * GPU hosts as recorded outputs of their nvidia-smi (fixtures/recorded/), put on PATH as a stand-in:
 * there is no GPU on the machines these tests run on.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { makeFakeBin, withPath, type FakeCase } from './fake-bin.js';
import { repoRoot } from './cli.js';

export const recorded = (name: string) => path.join(repoRoot, 'fixtures', 'recorded', name);

export type HostName = 'two A100s' | 'A100 in MIG mode' | 'GH200 (memory [N/A])' | 'T4 on driver 470' | 'driver not loaded';

interface Host {
  readonly header?: string;
  readonly cases: readonly FakeCase[];
  readonly exitCode?: number;
}

const apps = (file: string): FakeCase => ({ argsInclude: '--query-compute-apps=', stdoutFile: recorded(file) });

const HOSTS: Readonly<Record<HostName, Host>> = {
  'two A100s': { header: 'nvidia-smi-header-a100.txt', cases: [{ argsInclude: '--query-gpu=', stdoutFile: recorded('nvidia-smi-query-a100.csv') }, apps('nvidia-smi-compute-apps-a100.csv')] },
  'A100 in MIG mode': { header: 'nvidia-smi-header-a100.txt', cases: [{ argsInclude: '--query-gpu=', stdoutFile: recorded('nvidia-smi-query-mig-a100.csv') }] },
  'GH200 (memory [N/A])': { header: 'nvidia-smi-header-gh200.txt', cases: [{ argsInclude: '--query-gpu=', stdoutFile: recorded('nvidia-smi-query-gh200.csv') }] },
  // The whole query fails on the unknown field (exit 2); the retry without it answers.
  'T4 on driver 470': {
    header: 'nvidia-smi-header-t4-470.txt',
    cases: [
      { argsInclude: 'compute_cap', stdoutFile: recorded('nvidia-smi-invalid-field.txt'), exitCode: 2 },
      { argsInclude: '--query-gpu=', stdoutFile: recorded('nvidia-smi-query-t4-470.csv') },
    ],
  },
  'driver not loaded': { header: 'nvidia-smi-no-driver.txt', cases: [], exitCode: 9 },
};

/** Writes `dir/nvidia-smi` for the host (plus extra cases first) and returns env with it first on PATH. */
export async function nvidiaHost(dir: string, host: HostName, extra: readonly FakeCase[] = []): Promise<Record<string, string>> {
  const { header, cases, exitCode } = HOSTS[host];
  await mkdir(dir, { recursive: true });
  await makeFakeBin(dir, 'nvidia-smi', { ...(header ? { stdoutFile: recorded(header) } : {}), ...(exitCode ? { exitCode } : {}), cases: [...extra, ...cases] });
  return withPath(dir);
}

/**
 * A compute-apps answer written at call time: every live process running `commandLine` holds `mib`
 * MiB on the A100 node's GPU 0 (the service as a GPU node would show it). The program may appear by
 * its full path (a pyenv shim execs /root/.pyenv/…/python3); the shell that started it does not count.
 */
export function processesHoldingGpu(commandLine: string, mib: number): FakeCase {
  const script = [
    'for d in /proc/[0-9]*; do',
    `  case "$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null)" in '${commandLine}'*|*'/${commandLine}'*) echo "\${d#/proc/}, python3, ${mib}, GPU-8d2c7f4e-5b1a-3c9e-a0f2-6e4b9d1c7a35";; esac`,
    'done',
  ].join('\n');
  return { argsInclude: '--query-compute-apps=', script };
}
