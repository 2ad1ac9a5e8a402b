/** Install the Debian packages that provide missing tools (git-lfs, ffmpeg) — as root only. */
import { describeFailure, run, type ProcessRunner } from '../../adapters/run.js';
import type { CheckResult } from '../../model/record.js';

export function installablePackages(checks: readonly CheckResult[]): string[] {
  return [...new Set(checks.filter((c) => c.status === 'failed' && c.installPackage).map((c) => c.installPackage!))];
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function installCommand(packages: readonly string[]): string {
  return `apt-get update && apt-get install -y ${packages.join(' ')}`;
}

/** Runs apt-get; returns undefined on success, else why it failed (naming the command). */
export async function installPackages(
  packages: readonly string[],
  options: { readonly onLine?: (line: string) => void; readonly signal?: AbortSignal; readonly runner?: ProcessRunner } = {},
): Promise<string | undefined> {
  if (!isRoot()) return `not root: run as root: ${installCommand(packages)}`;
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    options.onLine?.(`$ apt-get ${args.join(' ')}`);
    const result = await run('apt-get', args, {
      runner: options.runner,
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 900_000,
      signal: options.signal,
      onLine: (_stream, line) => options.onLine?.(line),
    });
    if (result.exitCode !== 0) return describeFailure(result);
  }
  return undefined;
}
