/** The Python the service is installed with (a command name, or a path relative to `cwd`). */
import { allOutput, commonFailure, runProbe, unanswered } from './common.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export interface PythonFacts {
  readonly command: string;
  readonly version: string;
}

/** "Python 3.11.7" (Python 2 printed it on stderr, so both streams are searched). */
export function parsePythonVersion(output: string): string | undefined {
  return /\bPython (\d+\.\d+(?:\.\d+)?\S*)/.exec(output)?.[1];
}

export async function probePython(command = 'python3', options: ProbeOptions = {}): Promise<ProbeResult<PythonFacts>> {
  const result = await runProbe(command, ['--version'], options);
  const failure = commonFailure(result, command);
  if (failure) return failure;
  const version = parsePythonVersion(allOutput(result));
  return version ? { ok: true, command, version } : unanswered(`\`${result.command}\` printed no version`);
}
