/** fetch: shallow smudge-free clone of the chosen tag, then its LFS objects, with byte progress. */
import { redactUrl } from '../../adapters/git.js';
import { checkoutLfsFiles, fetchLfsObjects, shallowClone, unshareLfsObjects } from '../../snapshot/fetch.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';
import { formatBytes } from '../format.js';

export async function fetchStep(ctx: DrillContext): Promise<StepOutcome> {
  const tag = ctx.chosen!;
  const url = ctx.repoUrl!;
  const started = performance.now();
  const onLine = (line: string) => ctx.log('fetch', line, 'stderr');
  const commit = await shallowClone(url, tag.name, ctx.workdir, { signal: ctx.signal, onLine });
  if (commit !== tag.commit) {
    throw new StepFailed(`tag ${tag.name} moved: listed at ${tag.commit}, cloned ${commit}`, 'someone re-tagged the snapshot during the drill; run it again');
  }
  const total = tag.lfsBytes;
  ctx.progress('fetch', { current: 0, total, unit: 'bytes', label: `${tag.lfsFiles} LFS objects` });
  const result = await fetchLfsObjects(ctx.workdir, tag.name, {
    signal: ctx.signal,
    onLine,
    onBytes: (bytes) => ctx.progress('fetch', { current: Math.min(bytes, total), total, unit: 'bytes' }),
  });
  for (const [oid, actual] of result.rejected) ctx.rejectedObjects.set(oid, actual);
  if (result.missing.length > 0) {
    throw new StepFailed(
      `${redactUrl(url)} is missing ${result.missing.length} LFS object(s): ${result.missing.join(', ')} (\`${result.command}\`)`,
      'the backup is incomplete: push the objects again (git lfs push --all) or pick another tag',
    );
  }
  if (result.exitCode !== 0 && result.rejected.size === 0) {
    throw new StepFailed(`\`${result.command}\` exited with ${result.exitCode ?? 'a signal'}: ${result.stderrTail}`);
  }
  await checkoutLfsFiles(ctx.workdir, { signal: ctx.signal, onLine });
  if (ctx.options.mode === 'setup' || ctx.options.keep) {
    const unshared = await unshareLfsObjects(ctx.workdir);
    if (unshared > 0) ctx.log('fetch', `${unshared} LFS object(s) were hard links to the backup's own: copied, so this workspace cannot alter the backup`, 'info');
  }
  ctx.rto.fetchMs = Math.round(performance.now() - started);
  const rejected = result.rejected.size;
  return {
    status: rejected > 0 ? 'warned' : 'passed',
    summary:
      rejected > 0
        ? `git-lfs refused ${rejected} object(s) whose bytes do not match their pointer; verify names them`
        : `${tag.lfsFiles} LFS objects (${formatBytes(total)}) fetched at ${commit.slice(0, 12)}`,
    evidence: { commit, lfsBytes: total, rejectedObjects: Object.fromEntries(result.rejected), gitLfsExitCode: result.exitCode },
  };
}
