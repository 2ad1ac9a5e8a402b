/** verify: size + sha256 of every LFS file against its pointer, computed here — git-lfs's exit code is not trusted. */
import { readLfsPointers } from '../../snapshot/pointers.js';
import { staleIndexLock, verifyLfsFile } from '../../snapshot/verify.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';
import { formatBytes } from '../format.js';

export async function verifyStep(ctx: DrillContext): Promise<StepOutcome> {
  const started = performance.now();
  // Pointers come from the restored commit itself, not from the listing: what is on disk must match what was backed up.
  const pointers = await readLfsPointers(`${ctx.workdir}/.git`, 'HEAD');
  const total = pointers.reduce((sum, p) => sum + p.size, 0);
  let hashed = 0;
  ctx.progress('verify', { current: 0, total, unit: 'bytes', label: `${pointers.length} files` });
  for (const pointer of pointers) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const record = await verifyLfsFile(
      ctx.workdir,
      pointer,
      (bytes) => {
        hashed += bytes;
        ctx.progress('verify', { current: hashed, total, unit: 'bytes', label: pointer.path });
      },
      ctx.rejectedObjects.get(pointer.oid),
    );
    ctx.lfsFiles.push({ ...record });
    ctx.log('verify', `${record.verified ? '✔' : '✖'} ${pointer.path} ${formatBytes(pointer.size)} sha256 ${pointer.oid.slice(0, 16)}…`, 'info');
  }
  const lock = await staleIndexLock(ctx.workdir);
  if (lock) throw new StepFailed(`stale ${lock}: an interrupted git command left the index locked`, `remove ${lock} and restore again`);
  const failures = ctx.lfsFiles.filter((file) => !file.verified);
  if (failures.length > 0) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    throw new StepFailed(`${failures[0]!.problem}${more}`, 'this snapshot cannot be restored as backed up: pick an earlier tag and repair the backup');
  }
  if (pointers.length === 0) {
    // Zero files verified is never "passed".
    ctx.inconclusive.push('the snapshot holds no LFS files: nothing could be verified');
    return { status: 'warned', summary: 'no LFS files in the snapshot: nothing to verify' };
  }
  ctx.rto.verifyMs = Math.round(performance.now() - started);
  return {
    status: 'passed',
    summary: `${pointers.length} LFS files verified (${formatBytes(total)}, size + sha256)`,
    evidence: { files: pointers.length, bytes: total },
  };
}
