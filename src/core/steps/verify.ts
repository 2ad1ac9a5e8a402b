/**
 * verify: size + sha256 of every LFS file of the restored commit against its pointer. The hash is
 * the one computed while fetch wrote the bytes (each byte is read once); files fetch did not write
 * itself (git-lfs's fallback) are hashed here — git-lfs's exit code is not trusted.
 */
import { readAuditedFiles } from '../../snapshot/audited-files.js';
import { staleIndexLock, verifyLfsFile } from '../../snapshot/verify.js';
import { formatBytes } from '../../model/format.js';
import { DrillError } from '../../model/errors.js';
import type { LfsFileRecord } from '../../model/record.js';
import { defineStep } from './step.js';

/** The sha256 of bytes that arrived for an object but did not match it (they were not written). */
const rejectedBy = (landed: { readonly oid: string; readonly sha256: string } | undefined) => (landed && landed.sha256 !== landed.oid ? landed.sha256 : undefined);

export const verifyStep = defineStep({
  id: 'verify',
  title: 'Verify every LFS file',
  needs: ['fetch'],
  rtoKey: 'verifyMs',
  run: async (ctx, { fetch }) => {
    const dir = ctx.workspace.dir;
    // The pointers of the restored commit (fetch held its id to the listed one): what is on disk must match what was backed up.
    const { pointers } = fetch;
    const total = pointers.reduce((sum, p) => sum + p.size, 0);
    const files: LfsFileRecord[] = [];
    let hashed = 0;
    ctx.progress({ current: 0, total, unit: 'bytes', label: `${pointers.length} files` });
    for (const pointer of pointers) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const record = await verifyLfsFile(
        dir,
        pointer,
        (bytes) => {
          hashed += bytes;
          ctx.progress({ current: hashed, total, unit: 'bytes', label: pointer.path });
        },
        rejectedBy(fetch.landed.get(pointer.oid)),
        fetch.landed.get(pointer.oid),
      );
      files.push(record);
      ctx.emit({ type: 'lfs-file', file: record });
    }
    ctx.emit({ type: 'config-files', files: await readAuditedFiles(ctx.workspace.dir) });
    const lock = await staleIndexLock(dir);
    if (lock) throw new DrillError(`stale ${lock}: an interrupted git command left the index locked`, { hint: `remove ${lock} and restore again` });
    const failures = files.filter((file) => !file.verified);
    if (failures.length > 0) {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
      throw new DrillError(`${failures[0]?.problem ?? 'an LFS file did not verify'}${more}`, {
        hint: 'this snapshot cannot be restored as backed up: pick an earlier tag and repair the backup',
      });
    }
    if (pointers.length === 0) {
      // Zero files verified is never "passed": the verdict says so ("zero LFS files were verified").
      return { status: 'warned', summary: 'no LFS files in the snapshot: nothing to verify', output: { files } };
    }
    return {
      status: 'passed',
      summary: `${pointers.length} LFS files verified (${formatBytes(total)}, size + sha256)`,
      evidence: { files: pointers.length, bytes: total },
      output: { files },
    };
  },
});
