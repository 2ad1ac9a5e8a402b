import { describeFailure, run, type RunResult } from '../adapters/run.js';
import type { ProbeFailure, ProbeOptions } from './types.js';

export const DEFAULT_TIMEOUT_MS = 20_000;

export function missing(message: string): ProbeFailure {
  return { ok: false, reason: 'missing', message };
}

export function failed(message: string): ProbeFailure {
  return { ok: false, reason: 'failed', message };
}

export function unanswered(message: string): ProbeFailure {
  return { ok: false, reason: 'unanswered', message };
}

/** A run that did not end with an answer: timed out, interrupted, killed by a signal, or never started (EACCES). */
export function wasUnanswered(result: RunResult): boolean {
  return result.timedOut || result.aborted || (result.exitCode === undefined && !result.missing);
}

/** Run a probe command with the probe's options; never throws. */
export async function runProbe(file: string, args: readonly string[], options: ProbeOptions = {}): Promise<RunResult> {
  try {
    return await run(file, args, {
      runner: options.runner,
      env: options.env,
      cwd: options.cwd,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  } catch (error) {
    return {
      command: [file, ...args].join(' '),
      exitCode: undefined,
      stdout: '',
      stderr: error instanceof Error ? error.message : String(error),
      missing: false,
      timedOut: false,
      aborted: false,
      durationMs: 0,
    };
  }
}

/**
 * The usual failure of a version-style probe: ENOENT or a shell's 127 (e.g. a pyenv shim
 * without that version) means not installed; anything else that is not exit 0 means it failed.
 */
export function commonFailure(result: RunResult, tool: string): ProbeFailure | undefined {
  if (result.missing || result.exitCode === 127) return missing(`${tool} not found (\`${result.command}\`)`);
  if (wasUnanswered(result)) return unanswered(describeFailure(result));
  if (result.exitCode !== 0) return failed(describeFailure(result));
  return undefined;
}

/** stdout and stderr together: some tools print their version to stderr. */
export function allOutput(result: RunResult): string {
  return `${result.stdout}\n${result.stderr}`;
}
