/** snapshot: list the tags of the backup, choose one, verify its signature when required, check the disk budget. */
import { builtinName } from '../../model/builtin-repo.js';
import { ToolError } from '../../adapters/git.js';
import { lastDrillByTag } from '../../history/read.js';
import { freeBytes } from '../../probes/disk.js';
import { readTagLock } from '../../snapshot/lock.js';
import { withMetadataLock } from '../../snapshot/metadata-lock.js';
import { parseRemote, remoteSecrets, type Remote } from '../../snapshot/remote.js';
import { hostKeyRefusal, isHostKeyProblem, sshEnv } from '../../snapshot/ssh.js';
import { metadataRepoPath, fetchTagMetadata, listSnapshotTags, withSignatureChecked, type TagListing } from '../../snapshot/tags.js';
import { measuredEnvironment } from '../../model/environment-lock.js';
import { driftFromLock } from '../drift/report.js';
import { settleDrift } from './drift.js';
import { formatBytes } from '../../model/format.js';
import { DrillError } from '../../model/errors.js';
import type { SnapshotTag } from '../../model/record.js';
import { driftSettings } from '../../plan/schema-drift.js';
import { shownName } from '../../model/shell-word.js';
import { defineStep, type StepContext } from './step.js';

const GiB = 1024 ** 3;

/** The backup as a remote, its credentials named as secrets before anything can print them. */
export async function resolveRemote(ctx: StepContext): Promise<{ remote: Remote; allowedSigners: string | undefined }> {
  const { snapshot } = ctx.plan;
  let repo = snapshot.repo;
  let allowedSigners = snapshot.allowedSigners;
  const name = builtinName(repo);
  if (name !== undefined) {
    if (!ctx.options.resolveBuiltinRepo) throw new DrillError(`${repo}: no built-in repository of that name`);
    const builtin = await ctx.options.resolveBuiltinRepo(name, ctx.signal);
    if (builtin.note) ctx.log(builtin.note, 'info');
    repo = builtin.url;
    allowedSigners ??= builtin.allowedSigners;
  }
  const remote = parseRemote(repo, snapshot.auth, { ...process.env, ...ctx.options.env });
  for (const secret of remoteSecrets(remote)) ctx.secret(secret);
  return { remote, allowedSigners };
}

async function checkDiskBudget(ctx: StepContext, lfsBytes: number): Promise<string> {
  const disk = ctx.plan.environment.disk;
  if (!disk) return '';
  const neededBytes = disk.minFreeGiB === 'auto' ? lfsBytes * 2 + GiB : disk.minFreeGiB * GiB;
  const free = await freeBytes(ctx.workspace.dir);
  const line = `free disk ${formatBytes(free)} at ${ctx.workspace.dir}, ${formatBytes(neededBytes)} needed`;
  if (free < neededBytes) throw new DrillError(`not enough disk space: ${line}`, { hint: 'free space or pass --workdir on a larger filesystem' });
  return line;
}

export async function listTags(ctx: StepContext, remote: Remote, metaDir: string, allowedSigners: string | undefined): Promise<TagListing[]> {
  const { snapshot } = ctx.plan;
  try {
    await fetchTagMetadata(metaDir, remote, snapshot.tags, { signal: ctx.signal, runner: ctx.runner, env: { ...ctx.options.env, ...sshEnv(remote, { ...process.env, ...ctx.options.env }) } });
  } catch (error) {
    // ssh says why in its first lines, which the message (the last lines) may not show.
    const said = error instanceof ToolError ? error.result.stderr : String((error as Error).message);
    if (remote.kind === 'ssh' && isHostKeyProblem(said)) throw await hostKeyRefusal(remote, said, { runner: ctx.runner, signal: ctx.signal });
    throw error;
  }
  const history = lastDrillByTag(ctx.options.history ?? []);
  return (await listSnapshotTags(metaDir, snapshot.tags, allowedSigners, ctx.runner)).map((tag) => {
    const lastDrill = history.get(tag.name);
    return lastDrill ? { ...tag, lastDrill } : tag;
  });
}

/**
 * The node (as the environment step measured it) against the tag's lock, read from the metadata
 * repository: a drift that fails is found before anything is downloaded.
 */
export function compareEnvironment(ctx: StepContext, chosen: TagListing, lockText: string | undefined, facts: Readonly<Record<string, unknown>>) {
  const { report, lock } = driftFromLock(chosen.name, lockText, measuredEnvironment(facts), driftSettings(ctx.plan));
  return { ...settleDrift(ctx, 'snapshot', report), ...(lock ? { lock } : {}) };
}

function refuseUnsafeSignature(chosen: TagListing, requireSigned: boolean): void {
  if (chosen.signature === 'bad') {
    throw new DrillError(`tag ${chosen.name}: bad signature (${chosen.signatureDetail ?? 'verification failed'})`, { hint: 'do not restore this snapshot; check allowedSigners' });
  }
  if (requireSigned && chosen.signature !== 'verified') {
    throw new DrillError(`tag ${chosen.name} is ${chosen.signature}, and the plan requires a verified signature`, { hint: 'sign the tag (git tag -s) or pick a signed one' });
  }
}

/** A tag as faces and the record see it: the listing, not the pointers behind it. */
const listingOf = ({ pointers: _pointers, ...tag }: TagListing): SnapshotTag => tag;

export const snapshotStep = defineStep({
  id: 'snapshot',
  title: 'Choose the snapshot',
  needs: [],
  run: async (ctx, input) => {
    const { remote, allowedSigners } = await resolveRemote(ctx);
    const { snapshot } = ctx.plan;
    ctx.emit({ type: 'snapshot', repo: remote.display });
    const metaDir = metadataRepoPath(ctx.options.cacheRoot, remote.url);
    const tags = await withMetadataLock(metaDir, () => listTags(ctx, remote, metaDir, allowedSigners));
    if (tags.length === 0) throw new DrillError(`no tag of ${remote.display} matches "${snapshot.tags}"`, { hint: 'check snapshot.tags in the plan' });
    // Faces get the listing, not the pointers behind it.
    const listing = tags.map(listingOf);
    ctx.emit({ type: 'tags', tags: listing });
    const found = `${tags.length} tag(s) match "${snapshot.tags}", newest ${tags[0]?.name}`;
    // A dry run without --tag lists the tags and restores nothing: there is nothing to choose.
    if (ctx.options.stopAfter === 'snapshot' && !ctx.options.tag) return { status: 'passed', summary: `${found}; dry run: none chosen`, evidence: { tagsListed: tags.length } };

    const requested = ctx.options.tag ?? (await ctx.ask.chooseTag(listing, listing[0]?.name ?? ''));
    const listed = tags.find((tag) => tag.name === requested);
    if (!listed) {
      const names = tags.slice(0, 8).map((t) => t.name).join(', ');
      throw new DrillError(`tag ${shownName(requested)} not found among the tags matching "${snapshot.tags}" (${names})`, { hint: 'pass one of them with --tag' });
    }
    // The signature and the tag's environment.lock.yaml are read from the shared metadata cache: under its lock.
    const { chosen, lockText } = await withMetadataLock(metaDir, async () => {
      const checked = await withSignatureChecked(metaDir, listed, allowedSigners, ctx.runner);
      return { chosen: checked, lockText: await readTagLock(metaDir, checked.commit, ctx.runner) };
    });
    ctx.emit({ type: 'snapshot', repo: remote.display, tag: listingOf(chosen) });
    refuseUnsafeSignature(chosen, snapshot.requireSignedTag);
    const disk = await checkDiskBudget(ctx, chosen.lfsBytes);
    ctx.log(`${chosen.name} → commit ${chosen.commit}`, 'info');
    if (disk) ctx.log(disk, 'info');
    const drift = compareEnvironment(ctx, chosen, lockText, input.environment?.facts ?? {});
    return {
      status: drift.warned ? 'warned' : 'passed',
      summary: `${chosen.name} (${chosen.commit.slice(0, 12)}), ${chosen.lfsFiles} LFS files, ${formatBytes(chosen.lfsBytes)}, signature ${chosen.signature}; ${drift.line}`,
      evidence: { repo: remote.display, tag: chosen.name, commit: chosen.commit, signature: chosen.signature, lfsFiles: chosen.lfsFiles, lfsBytes: chosen.lfsBytes, tagsListed: tags.length, disk },
      output: { remote, tag: chosen, ...(drift.lock ? { lock: drift.lock } : {}) },
    };
  },
});
