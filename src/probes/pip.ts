/** The packages of the service's venv, as `pip freeze` lists them: recorded with a snapshot and compared for drift. */
import { commonFailure, failed, runProbe } from './common.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export function parsePipFreeze(stdout: string): string[] {
  return stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')).sort((a, b) => a.localeCompare(b));
}

/** `python -m pip freeze` with the service's python (pip's own warnings on stderr are ignored). */
export async function pipFreeze(python: string, options: ProbeOptions = {}): Promise<ProbeResult<{ packages: string[] }>> {
  const result = await runProbe(python, ['-m', 'pip', 'freeze', '--disable-pip-version-check'], { timeoutMs: 60_000, ...options });
  if (/No module named pip/.test(result.stderr)) return failed(`${python} has no pip`);
  return commonFailure(result, python) ?? { ok: true, packages: parsePipFreeze(result.stdout) };
}
