/**
 * verify, for the cold tier: every file the archive held against its manifest (size + sha256, hashed
 * as fetch wrote it), and, when the manifest names a tag of the hot tier, the files of that tag's LFS
 * objects against their object ids — "the cold archive holds the same model as v1.3". An archive with
 * no manifest is restored all the same, but nothing in it can be verified: the verdict says so.
 */
import type { ManifestFile } from '../../../archive/manifest.js';
import { readAuditedFiles } from '../../../snapshot/audited-files.js';
import { DrillError } from '../../../model/errors.js';
import { formatBytes } from '../../../model/format.js';
import type { ArchiveFacts, LfsFileRecord } from '../../../model/record.js';
import { defineStep } from '../step.js';

/** A file as the manifest names it, or as the extraction wrote it. */
type FileSum = ManifestFile;

function checkFile(expected: FileSum, found: FileSum | undefined, against: string): LfsFileRecord {
  const base = { path: expected.path, size: expected.size, oid: expected.sha256 };
  if (!found) return { ...base, verified: false, problem: `${expected.path}: in ${against}, but not in the archive` };
  if (found.size !== expected.size || found.sha256 !== expected.sha256) {
    return {
      ...base,
      verified: false,
      actualSha256: found.sha256,
      actualSize: found.size,
      problem: `${expected.path}: sha256 ${found.sha256} (${found.size} bytes) in the archive, ${expected.sha256} (${expected.size} bytes) in ${against}`,
    };
  }
  return { ...base, verified: true };
}

export const archiveVerifyStep = defineStep({
  id: 'verify',
  title: 'Verify every file of the archive',
  needs: ['fetch'],
  rtoKey: 'verifyMs',
  run: async (ctx, { snapshot, fetch }) => {
    const archive = snapshot?.archive;
    const extracted = fetch.archive;
    if (!archive || !extracted) throw new DrillError('no archive was extracted');
    const byPath = new Map(extracted.files.map((file) => [file.path, file]));
    ctx.emit({ type: 'config-files', files: await readAuditedFiles(ctx.workspace.dir) });
    // The manifest of the bytes fetch extracted, hashed and checked: the one snapshot peeked at was read apart.
    const { manifest } = extracted;
    if (JSON.stringify(manifest ?? null) !== JSON.stringify(archive.manifest ?? null)) {
      throw new DrillError(`${archive.facts.location}: the manifest fetch extracted is not the one snapshot read: the archive changed during the drill`, { hint: 'drill it again once nothing writes to it' });
    }
    if (!manifest) {
      const measured = `no manifest: ${extracted.files.length} file(s) unchecked`;
      ctx.emit({ type: 'check', step: 'verify', check: { id: 'archive-manifest', title: 'Archive verifiable', status: 'inconclusive', measured, fix: 'write the cold archive with whisper-drill snapshot --archive, which puts a manifest in it' } });
      return { status: 'warned', summary: `unverifiable: ${measured}`, output: { files: [] } };
    }
    const files = manifest.files.map((entry) => checkFile(entry, byPath.get(entry.path), 'its manifest'));
    const named = new Set(manifest.files.map((file) => file.path));
    const extra = extracted.files.filter((file) => !named.has(file.path));
    for (const record of files) ctx.emit({ type: 'lfs-file', file: record });

    let hotTier: ArchiveFacts['hotTier'] = archive.facts.hotTier;
    const tagName = archive.facts.claimsTag;
    const hotFiles = archive.hotPointers?.map((pointer) => checkFile({ path: pointer.path, size: pointer.size, sha256: pointer.oid }, byPath.get(pointer.path), `${tagName}'s LFS objects`)) ?? [];
    if (archive.hotPointers) {
      const differ = hotFiles.filter((file) => !file.verified);
      hotTier =
        differ.length === 0
          ? { status: 'same', detail: `the cold archive of ${manifest.createdAt.slice(0, 10)} holds the same ${hotFiles.map((f) => f.path).join(', ') || 'files'} as ${tagName}` }
          : { status: 'differs', detail: differ.map((f) => f.problem).join('; ') };
      ctx.emit({ type: 'snapshot', repo: archive.facts.location, archive: { ...archive.facts, sha256: extracted.sha256, hotTier } });
    }

    const failures = [...files.filter((file) => !file.verified).map((file) => file.problem!), ...extra.map((file) => `${file.path}: in the archive, but not in its manifest`)];
    if (hotTier?.status === 'differs') failures.push(hotTier.detail);
    if (failures.length > 0) {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
      throw new DrillError(`${failures[0]}${more}`, { hint: 'this archive cannot be restored as backed up: use another one, and repair the cold tier' });
    }
    const bytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
    if (files.length === 0) return { status: 'warned', summary: 'the manifest names no files: nothing to verify', output: { files } };
    return {
      status: hotTier?.status === 'unchecked' ? 'warned' : 'passed',
      summary: `${files.length} file(s) verified against the manifest (${formatBytes(bytes)}, size + sha256)${hotTier ? `; ${hotTier.detail}` : ''}`,
      evidence: { files: files.length, bytes, ...(hotTier ? { hotTier: hotTier.status } : {}) },
      output: { files },
    };
  },
});
