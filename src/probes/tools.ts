/** git and git-lfs, which the snapshot steps drive. */
import { allOutput, commonFailure, missing, runProbe, unanswered } from './common.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export interface ToolFacts {
  readonly version: string;
}

/** "git version 2.39.5" (also "2.39.3 (Apple Git-146)", "2.45.1.windows.1"). */
export function parseGitVersion(output: string): string | undefined {
  return /git version (\d+(?:\.\d+)*)/.exec(output)?.[1];
}

/** "git-lfs/3.3.0 (GitHub; linux amd64; go 1.19.8)". */
export function parseGitLfsVersion(output: string): string | undefined {
  return /git-lfs\/(\d+(?:\.\d+)*)/.exec(output)?.[1];
}

export async function probeGit(options: ProbeOptions = {}): Promise<ProbeResult<ToolFacts>> {
  const result = await runProbe('git', ['--version'], options);
  if (result.missing) return missing('git not found');
  const failure = commonFailure(result, 'git');
  if (failure) return failure;
  const version = parseGitVersion(result.stdout);
  return version ? { ok: true, version } : unanswered(`\`${result.command}\` printed no version`);
}

export async function probeGitLfs(options: ProbeOptions = {}): Promise<ProbeResult<ToolFacts>> {
  const result = await runProbe('git', ['lfs', 'version'], options);
  if (result.missing) return missing('git not found (git-lfs runs as `git lfs`)');
  // Without git-lfs, git itself answers: "git: 'lfs' is not a git command. See 'git --help'." (exit 1).
  if (/'lfs' is not a git command/.test(allOutput(result))) return missing("git-lfs not installed: git: 'lfs' is not a git command");
  const failure = commonFailure(result, 'git lfs');
  if (failure) return failure;
  const version = parseGitLfsVersion(result.stdout);
  return version ? { ok: true, version } : unanswered(`\`${result.command}\` printed no version`);
}
