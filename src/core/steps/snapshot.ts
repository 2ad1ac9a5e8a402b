/** snapshot: list the tags of the backup, choose one, verify its signature when required, check the disk budget. */
import { redactUrl } from '../../adapters/git.js';
import { freeBytes } from '../../probes/disk.js';
import { metadataRepoPath, fetchTagMetadata, listSnapshotTags } from '../../snapshot/tags.js';
import { lastDrillByTag } from '../../report/history.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';
import { formatBytes } from '../format.js';

const GiB = 1024 ** 3;

async function resolveRepo(ctx: DrillContext): Promise<void> {
  const { snapshot } = ctx.plan;
  if (snapshot.repo.startsWith('builtin:')) {
    if (!ctx.options.resolveBuiltinRepo) throw new StepFailed(`${snapshot.repo}: no built-in repository of that name`);
    const builtin = await ctx.options.resolveBuiltinRepo(snapshot.repo.slice('builtin:'.length), ctx.signal);
    if (builtin.note) ctx.log('snapshot', builtin.note, 'info');
    ctx.repoUrl = builtin.url;
    ctx.allowedSigners = snapshot.allowedSigners ?? builtin.allowedSigners;
  } else {
    ctx.repoUrl = snapshot.repo;
    ctx.allowedSigners = snapshot.allowedSigners;
  }
}

async function checkDiskBudget(ctx: DrillContext, lfsBytes: number): Promise<string> {
  const disk = ctx.plan.environment.disk;
  if (!disk) return '';
  const neededBytes = disk.minFreeGiB === 'auto' ? lfsBytes * 2 + GiB : disk.minFreeGiB * GiB;
  const free = await freeBytes(ctx.workdir);
  const line = `free disk ${formatBytes(free)} at ${ctx.workdir}, ${formatBytes(neededBytes)} needed`;
  if (free < neededBytes) {
    throw new StepFailed(`not enough disk space: ${line}`, 'free space or pass --workdir on a larger filesystem');
  }
  return line;
}

export async function snapshotStep(ctx: DrillContext): Promise<StepOutcome> {
  await resolveRepo(ctx);
  const url = ctx.repoUrl!;
  const { snapshot } = ctx.plan;
  const metaDir = metadataRepoPath(ctx.options.cacheRoot, url);
  await fetchTagMetadata(metaDir, url, snapshot.tags, ctx.signal);
  const history = await lastDrillByTag(ctx.options.reportRoot, ctx.plan.name);
  const tags = (await listSnapshotTags(metaDir, snapshot.tags, ctx.allowedSigners)).map((tag) => {
    const lastDrill = history.get(tag.name);
    return lastDrill ? { ...tag, lastDrill } : tag;
  });
  ctx.tags = tags;
  if (tags.length === 0) throw new StepFailed(`no tag of ${redactUrl(url)} matches "${snapshot.tags}"`, 'check snapshot.tags in the plan');
  ctx.emit({ type: 'tags', tags });

  const asked = performance.now();
  const requested = ctx.options.tag ?? (await ctx.options.ask.chooseTag(tags, tags[0]!.name));
  // The operator's think time is not recovery time: it is recorded and left out of the RTO total.
  ctx.rto.operatorMs = Math.round(performance.now() - asked);
  const chosen = tags.find((tag) => tag.name === requested);
  if (!chosen) {
    const names = tags.slice(0, 8).map((t) => t.name).join(', ');
    throw new StepFailed(`tag ${requested} not found among the tags matching "${snapshot.tags}" (${names})`, 'pass one of them with --tag');
  }
  ctx.chosen = chosen;
  if (chosen.signature === 'bad') {
    throw new StepFailed(`tag ${chosen.name}: bad signature (${chosen.signatureDetail ?? 'verification failed'})`, 'do not restore this snapshot; check allowedSigners');
  }
  if (snapshot.requireSignedTag && chosen.signature !== 'verified') {
    throw new StepFailed(`tag ${chosen.name} is ${chosen.signature}, and the plan requires a verified signature`, 'sign the tag (git tag -s) or pick a signed one');
  }
  const disk = await checkDiskBudget(ctx, chosen.lfsBytes);
  ctx.log('snapshot', `${chosen.name} → commit ${chosen.commit}`, 'info');
  if (disk) ctx.log('snapshot', disk, 'info');
  return {
    status: 'passed',
    operatorMs: ctx.rto.operatorMs,
    summary: `${chosen.name} (${chosen.commit.slice(0, 12)}), ${chosen.lfsFiles} LFS files, ${formatBytes(chosen.lfsBytes)}, signature ${chosen.signature}`,
    evidence: {
      repo: redactUrl(url),
      tag: chosen.name,
      commit: chosen.commit,
      signature: chosen.signature,
      lfsFiles: chosen.lfsFiles,
      lfsBytes: chosen.lfsBytes,
      tagsListed: tags.length,
      disk,
    },
  };
}
