/** fetch: shallow smudge-free clone of the chosen tag, then its LFS objects, with byte progress. */
import { redactUrl } from '../../adapters/git.js';
import { checkoutLfsFiles, fetchLfsObjects, shallowClone, unshareLfsObjects } from '../../snapshot/fetch.js';
import { formatBytes } from '../format.js';
import { DrillError } from '../model.js';
import { defineStep } from './step.js';

export const fetchStep = defineStep({
  id: 'fetch',
  title: 'Fetch the snapshot and its LFS objects',
  needs: ['snapshot'],
  rtoKey: 'fetchMs',
  run: async (ctx, { snapshot }) => {
    const { tag, repoUrl: url } = snapshot;
    const dir = ctx.workspace.dir;
    const hooks = { runner: ctx.runner, signal: ctx.signal, onLine: (line: string) => ctx.log(line, 'stderr') };
    const commit = await shallowClone(url, tag.name, dir, hooks);
    if (commit !== tag.commit) {
      throw new DrillError(`tag ${tag.name} moved: listed at ${tag.commit}, cloned ${commit}`, { hint: 'someone re-tagged the snapshot during the drill; run it again' });
    }
    const total = tag.lfsBytes;
    ctx.progress({ current: 0, total, unit: 'bytes', label: `${tag.lfsFiles} LFS objects` });
    const result = await fetchLfsObjects(dir, tag.name, {
      ...hooks,
      onBytes: (bytes) => ctx.progress({ current: Math.min(bytes, total), total, unit: 'bytes' }),
    });
    if (result.missing.length > 0) {
      throw new DrillError(`${redactUrl(url)} is missing ${result.missing.length} LFS object(s): ${result.missing.join(', ')} (\`${result.command}\`)`, {
        hint: 'the backup is incomplete: push the objects again (git lfs push --all) or pick another tag',
      });
    }
    if (result.exitCode !== 0 && result.rejected.size === 0) {
      throw new DrillError(`\`${result.command}\` exited with ${result.exitCode ?? 'a signal'}: ${result.stderrTail}`);
    }
    await checkoutLfsFiles(dir, hooks);
    if (ctx.options.mode === 'setup' || ctx.options.keep) {
      const unshared = await unshareLfsObjects(dir);
      if (unshared > 0) ctx.log(`${unshared} LFS object(s) were hard links to the backup's own: copied, so this workspace cannot alter the backup`, 'info');
    }
    const rejected = result.rejected.size;
    return {
      status: rejected > 0 ? 'warned' : 'passed',
      summary:
        rejected > 0
          ? `git-lfs refused ${rejected} object(s) whose bytes do not match their pointer; verify names them`
          : `${tag.lfsFiles} LFS objects (${formatBytes(total)}) fetched at ${commit.slice(0, 12)}`,
      evidence: { commit, lfsBytes: total, rejectedObjects: Object.fromEntries(result.rejected), gitLfsExitCode: result.exitCode },
      output: { commit, rejectedObjects: result.rejected },
    };
  },
});
