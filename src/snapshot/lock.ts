/**
 * A tag's environment.lock.yaml, read from the tag-metadata repository (already fetched to list the
 * tags): the drift is known before anything is downloaded.
 */
import { git } from '../adapters/git.js';
import type { ProcessRunner } from '../adapters/run.js';
import { LOCK_FILE } from '../model/environment-lock.js';

/** The lock's text, or undefined when the commit has none. */
export async function readTagLock(metaDir: string, commit: string, runner?: ProcessRunner): Promise<string | undefined> {
  const result = await git(['--git-dir', metaDir, 'cat-file', 'blob', `${commit}:${LOCK_FILE}`], { runner });
  if (result.exitCode === 0) return result.stdout;
  if (/does not exist|not a valid object name|Not a valid object name|bad file/i.test(result.stderr)) return undefined;
  throw new Error(`reading ${LOCK_FILE} of ${commit}: ${result.stderr.trim() || `exit ${result.exitCode ?? 'signal'}`}`);
}
