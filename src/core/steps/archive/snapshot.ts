/**
 * snapshot, for the cold tier (`--archive`): the archive's `.sha256` and `.sig` beside it, who signed
 * it (among the plan's allowed signers), its manifest (the first entry: a few KiB read), the hot tag
 * it claims to copy and that tag's LFS objects, and the disk budget. Nothing is extracted here.
 */
import { stat } from 'node:fs/promises';
import { releaseArchive, type ArchiveChoice } from '../../../archive/choice.js';
import { manifestBytes } from '../../../archive/manifest.js';
import { ArchiveServer, archiveLocation, expectedSha256, openArchive, sidecar, type ArchiveLocation } from '../../../archive/source.js';
import { EXTRACTION_MARGIN_BYTES, peekManifest } from '../../../archive/extract.js';
import { findSigner, writeSignature } from '../../../archive/signature.js';
import { builtinName } from '../../../model/builtin-repo.js';
import { DrillError } from '../../../model/errors.js';
import { formatBytes } from '../../../model/format.js';
import type { ArchiveFacts } from '../../../model/record.js';
import { freeBytes } from '../../../probes/disk.js';
import type { LfsPointer } from '../../../snapshot/pointers.js';
import { withMetadataLock } from '../../../snapshot/metadata-lock.js';
import { metadataRepoPath, type TagListing } from '../../../snapshot/tags.js';
import { defineStep, type StepContext, type StepOutputs, type StepResult } from '../step.js';
import { compareEnvironment, listTags, resolveRemote } from '../snapshot.js';

async function allowedSignersOf(ctx: StepContext): Promise<string | undefined> {
  const { snapshot } = ctx.plan;
  if (snapshot.allowedSigners) return snapshot.allowedSigners;
  const name = builtinName(snapshot.repo);
  if (name === undefined || !ctx.options.resolveBuiltinRepo) return undefined;
  return (await ctx.options.resolveBuiltinRepo(name, ctx.signal)).allowedSigners;
}

/** The hot tag the manifest names, listed from the plan's backup: its LFS pointers, or why they could not be had. */
async function hotTag(ctx: StepContext, name: string): Promise<{ pointers?: readonly LfsPointer[]; detail: string }> {
  try {
    const { remote, allowedSigners } = await resolveRemote(ctx);
    const metaDir = metadataRepoPath(ctx.options.cacheRoot, remote.url);
    const tags = await withMetadataLock(metaDir, () => listTags(ctx, remote, metaDir, allowedSigners));
    const tag = tags.find((t) => t.name === name);
    if (!tag) return { detail: `${remote.display} has no tag ${name} matching "${ctx.plan.snapshot.tags}"` };
    return { pointers: tag.pointers, detail: `${tag.pointers.length} LFS file(s) of ${name} at ${remote.display}` };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return { detail: `the hot tier could not be asked: ${(error as Error).message}` };
  }
}

async function signatureOf(ctx: StepContext, location: ArchiveLocation, server: ArchiveServer): Promise<{ signature: TagListing['signature']; detail: string; checked?: ArchiveChoice['signature'] }> {
  const text = await sidecar(location, server, '.sig');
  if (text === undefined) return { signature: 'unsigned', detail: 'no .sig beside the archive' };
  const allowedSigners = await allowedSignersOf(ctx);
  if (!allowedSigners) return { signature: 'unchecked', detail: 'signed, but the plan names no allowedSigners file' };
  const file = await writeSignature(text);
  const signer = await findSigner(file.file, allowedSigners, ctx.runner);
  if (!signer.principal) {
    await file.remove();
    return { signature: 'bad', detail: signer.detail };
  }
  return { signature: 'unchecked', detail: `${signer.detail}; checked as the archive is read`, checked: { file, principal: signer.principal, allowedSigners } };
}

export const archiveSnapshotStep = defineStep({
  id: 'snapshot',
  title: 'Check the cold archive',
  needs: [],
  run: async (ctx, input) => {
    const location = archiveLocation(ctx.options.archive!);
    const server = new ArchiveServer(location, { runner: ctx.runner, ...(ctx.options.env ? { env: ctx.options.env } : {}), signal: ctx.signal, onSecret: ctx.secret });
    let signature: ArchiveChoice['signature'];
    try {
      return await checkArchive(ctx, input, location, server, (checked) => (signature = checked));
    } catch (error) {
      // Nothing reaches teardown from a step that failed: its connections and the signature's file go now.
      await releaseArchive({ server, ...(signature ? { signature } : {}) });
      throw error;
    }
  },
});

async function checkArchive(
  ctx: StepContext,
  input: { readonly environment?: { readonly facts: Readonly<Record<string, unknown>> } },
  location: ArchiveLocation,
  server: ArchiveServer,
  holding: (signature: ArchiveChoice['signature']) => void,
): Promise<StepResult<StepOutputs['snapshot']>> {
  ctx.emit({ type: 'snapshot', repo: location.display });
  const shaText = await sidecar(location, server, '.sha256');
  const expected = shaText === undefined ? undefined : expectedSha256(shaText, location.display);
  const signed = await signatureOf(ctx, location, server);
  holding(signed.checked);
  if (signed.signature === 'bad') {
    throw new DrillError(`${location.display}.sig: bad signature (${signed.detail})`, { hint: 'do not restore this archive; check allowedSigners' });
  }
  if (ctx.plan.snapshot.requireSignedTag && !signed.checked) {
    throw new DrillError(`${location.display} is ${signed.signature} (${signed.detail}), and the plan requires a verified signature`, { hint: 'sign it: ssh-keygen -Y sign -n file -f KEY ARCHIVE' });
  }
  const opened = await openArchive(location, server);
  const manifest = await peekManifest(opened.stream, location.display, ctx.signal);
  const claims = manifest?.tag?.name ?? null;
  const hot = claims ? await hotTag(ctx, claims) : undefined;
  const hotTier: ArchiveFacts['hotTier'] = claims ? (hot?.pointers ? null : { status: 'unchecked', detail: hot!.detail }) : null;
  const facts: ArchiveFacts = { location: location.display, sha256: null, expectedSha256: expected ?? null, manifest: manifest !== undefined, claimsTag: claims, hotTier };
  const when = manifest?.createdAt ?? (location.kind === 'file' ? (await stat(location.href)).mtime.toISOString() : new Date().toISOString());
  const bytes = manifest ? manifestBytes(manifest) : (opened.size ?? 0);
  const tag: TagListing = {
    name: location.name,
    commit: manifest?.tag?.commit ?? '',
    date: when,
    message: manifest ? `cold archive${claims ? ` of ${claims}` : ''}, ${manifest.files.length} file(s)` : 'cold archive without a manifest',
    lfsFiles: manifest?.files.length ?? 0,
    lfsBytes: bytes,
    signature: signed.signature,
    signatureDetail: signed.detail,
    pointers: [],
  };
  const { pointers: _pointers, ...listing } = tag;
  ctx.emit({ type: 'snapshot', repo: location.display, tag: listing, archive: facts });
  const free = await freeBytes(ctx.workspace.dir);
  const room = Math.max(0, free - EXTRACTION_MARGIN_BYTES);
  if (manifest && bytes > room) {
    throw new DrillError(`not enough disk space: the archive's files need ${formatBytes(bytes)}, ${formatBytes(free)} free at ${ctx.workspace.dir}`, { hint: 'free space or pass --workdir on a larger filesystem' });
  }
  const drift = compareEnvironment(ctx, tag, manifest?.environmentLock ?? undefined, input.environment?.facts ?? {});
  const parts = [
    manifest ? `manifest of ${manifest.files.length} file(s), ${formatBytes(bytes)}` : 'no manifest: its files cannot be verified',
    expected ? '.sha256 present' : 'no .sha256',
    `signature ${signed.signature === 'unchecked' && signed.checked ? `by ${signed.checked.principal}, checked as it is read` : signed.signature}`,
    ...(claims ? [`claims ${claims}${hotTier ? ` (${hotTier.detail})` : ''}`] : []),
  ];
  const warned = drift.warned || !manifest || hotTier !== null;
  return {
    status: warned ? 'warned' : 'passed',
    summary: `${location.display}: ${parts.join(', ')}; ${drift.line}`,
    evidence: { archive: location.display, manifest: manifest !== undefined, files: manifest?.files.length ?? null, bytes, signature: signed.signature, claimsTag: claims },
    output: {
      tag,
      ...(drift.lock ? { lock: drift.lock } : {}),
      archive: {
        location,
        server,
        ...(expected ? { expectedSha256: expected } : {}),
        ...(signed.checked ? { signature: signed.checked } : {}),
        ...(manifest ? { manifest } : {}),
        ...(hot?.pointers ? { hotPointers: hot.pointers } : {}),
        facts,
      },
    },
  };
}
