/**
 * A workspace that stays (setup, --keep) is a git repository an operator will use: git-lfs's filters
 * configured, and the LFS files added again — git-lfs's clean filter reads each one once, files it in
 * .git/lfs/objects and gives back the same pointer, so the index takes the file's stat data and
 * `git status` is clean. (A refresh would not do: the index holds the pointer's size, and git calls
 * a file of another size modified without asking the filter.) A drill's scratch workspace skips this:
 * nobody runs git in it, and it would read every byte a second time.
 *
 * Teardown does it, once the service has answered: reading and copying every LFS file again is no
 * part of the recovery (1.2 GiB took seconds of the first transcript's time when fetch did it).
 */
import { gitOk } from '../../adapters/git.js';
import type { StepContext } from './step.js';

export async function settleKeptWorkspace(ctx: StepContext, paths: readonly string[]): Promise<string> {
  const dir = ctx.workspace.dir;
  const options = { runner: ctx.runner, signal: ctx.signal, ...(ctx.options.env ? { env: { ...ctx.options.env } } : {}) };
  await gitOk(['-C', dir, 'lfs', 'install', '--local'], options);
  await gitOk(['-C', dir, 'add', '--pathspec-from-file=-', '--pathspec-file-nul'], { ...options, input: `${paths.join('\0')}\0` });
  return 'git-lfs set up in the kept workspace, its LFS files filed in .git/lfs/objects';
}
