/**
 * `builtin:NAME` in a plan's snapshot.repo: a repository the tool builds itself. There is one, the
 * sample backup the demo drills; anything else after `builtin:` is a mistake in the plan.
 */
import { usageError } from './errors.js';

const PREFIX = 'builtin:';
export const BUILTIN_REPOS: readonly string[] = ['sample-backup'];

/** The NAME of `builtin:NAME`, or undefined for any other repository. */
export function builtinName(repo: string): string | undefined {
  return repo.startsWith(PREFIX) ? repo.slice(PREFIX.length) : undefined;
}

/** The NAME of `builtin:NAME` when it is one the tool has; a usage error naming `where` when it is not. */
export function knownBuiltin(repo: string, where: string): string | undefined {
  const name = builtinName(repo);
  if (name !== undefined && !BUILTIN_REPOS.includes(name)) {
    throw usageError(`${where}${repo}: the only built-in repository is ${BUILTIN_REPOS.map((each) => PREFIX + each).join(', ')}`);
  }
  return name;
}
