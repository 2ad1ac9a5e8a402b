/**
 * fetch, for the cold tier: the archive streamed once from its file or URL into the workspace —
 * hashed as read (its .sha256), its SSH signature verified over the same bytes (ssh-keygen reads
 * them beside the extraction), each file hashed as written (verify checks them against the manifest).
 */
import { releaseArchive } from '../../../archive/choice.js';
import { EXTRACTION_MARGIN_BYTES, extractArchive } from '../../../archive/extract.js';
import { openArchive } from '../../../archive/source.js';
import { verifyWhileReading } from '../../../archive/signature.js';
import { DrillError } from '../../../model/errors.js';
import { formatBytes } from '../../../model/format.js';
import type { Landed } from '../../../snapshot/lfs/download.js';
import { freeBytes } from '../../../probes/disk.js';
import { defineStep } from '../step.js';

export const archiveFetchStep = defineStep({
  id: 'fetch',
  title: 'Fetch and extract the archive',
  needs: ['snapshot'],
  rtoKey: 'fetchMs',
  run: async (ctx, { snapshot }) => {
    // Recovery (rto.recoveryMs) is measured from here to the first correct transcript.
    const startedAtMs = performance.now();
    const archive = snapshot.archive;
    if (!archive) throw new DrillError('no archive to extract: the snapshot step chose a tag');
    const { location } = archive;
    const signature = archive.signature ? verifyWhileReading(archive.signature.file.file, archive.signature.allowedSigners, archive.signature.principal, ctx.options.env) : undefined;
    try {
      const opened = await openArchive(location, archive.server);
      const total = opened.size;
      const { name } = location;
      ctx.progress({ current: 0, ...(total !== undefined ? { total } : {}), unit: 'bytes', label: name });
      const room = Math.max(0, (await freeBytes(ctx.workspace.dir)) - EXTRACTION_MARGIN_BYTES);
      const extracted = await extractArchive(opened.stream, {
        dest: ctx.workspace.dir,
        budgetBytes: room,
        display: location.display,
        signal: ctx.signal,
        onBytes: (bytes) => ctx.progress({ current: bytes, ...(total !== undefined ? { total } : {}), unit: 'bytes', label: name }),
        ...(signature ? { tap: signature.input } : {}),
      });
      const facts = { ...archive.facts, sha256: extracted.archiveSha256 };
      ctx.emit({ type: 'snapshot', repo: location.display, archive: facts });
      if (archive.expectedSha256 && archive.expectedSha256 !== extracted.archiveSha256) {
        throw new DrillError(`${location.display}: sha256 ${extracted.archiveSha256} as read, but its .sha256 says ${archive.expectedSha256}`, {
          hint: 'the archive changed after it was written, or did not arrive whole: copy it again from where it is kept',
        });
      }
      const signed = signature ? await signature.result : undefined;
      if (signed && !signed.ok) {
        throw new DrillError(`${location.display}.sig: bad signature over the archive as read (${signed.detail})`, { hint: 'do not restore this archive: it is not what was signed' });
      }
      if (signed) {
        const { pointers: _pointers, ...tag } = snapshot.tag;
        ctx.emit({ type: 'snapshot', repo: location.display, tag: { ...tag, signature: 'verified', signatureDetail: `signed by ${archive.signature!.principal}` }, archive: facts });
      }
      const bytes = extracted.files.reduce((sum, file) => sum + file.size, 0);
      const checks = [archive.expectedSha256 ? 'sha256 matches its .sha256' : 'no .sha256 to compare', signed ? `signature by ${archive.signature!.principal} verified` : undefined].filter(Boolean);
      return {
        status: 'passed',
        summary: `${extracted.files.length} file(s) (${formatBytes(bytes)}) extracted from ${formatBytes(extracted.archiveBytes)} of archive; ${checks.join(', ')}`,
        evidence: { archiveBytes: extracted.archiveBytes, sha256: extracted.archiveSha256, files: extracted.files.length, bytes, symlinks: extracted.symlinks },
        output: {
          commit: snapshot.tag.commit,
          pointers: [],
          landed: new Map<string, Landed>(),
          startedAtMs,
          archive: { files: extracted.files, sha256: extracted.archiveSha256, ...(extracted.manifest ? { manifest: extracted.manifest } : {}) },
        },
      };
    } finally {
      signature?.kill();
      await releaseArchive(archive);
    }
  },
});
