/** git and git-lfs, reached only through the process runner. */
import { DrillError } from '../model/errors.js';
import { describeFailure, run, type RunOptions, type RunResult } from './run.js';

/** Never prompt for credentials, always speak C (we parse messages), never page. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_PAGER: 'cat', GIT_ASKPASS: 'true' } as const;

/** A tool that failed: the one error type, with the tool's result attached. */
export class ToolError extends DrillError {
  constructor(
    message: string,
    readonly result: RunResult,
    hint?: string,
  ) {
    super(message, hint ? { hint } : {});
    this.name = 'ToolError';
  }
}

export function git(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('git', args, { ...options, env: { ...GIT_ENV, ...options.env } });
}

/** Run git and return stdout; a non-zero exit throws a ToolError naming the command (the hint may read what git said). */
export async function gitOk(args: readonly string[], options: RunOptions = {}, hint?: string | ((result: RunResult) => string | undefined)): Promise<string> {
  const result = await git(args, options);
  if (result.exitCode !== 0) throw new ToolError(describeFailure(result), result, typeof hint === 'function' ? hint(result) : hint);
  return result.stdout;
}

/** A file:// URL for an absolute path; other URLs are returned unchanged. Shallow clones need a URL. */
export function repoUrl(repo: string): string {
  return repo.startsWith('/') ? `file://${repo}` : repo;
}
