/**
 * `snapshot` without a terminal (or with --yes): a line per phase, per change and per object not
 * found; byte progress at most every 2 s (a log is no place for a bar). With --json, each event is a
 * line of drills/snapshot.schema.json instead.
 */
import { SNAPSHOT_SCHEMA_VERSION, type SnapshotEvent } from '../backup/events.js';
import { formatBytes } from '../model/format.js';

export function snapshotNdjsonReporter(write: (line: string) => void = (line) => process.stdout.write(line)): (event: SnapshotEvent) => void {
  return (event) => write(`${JSON.stringify({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, ...event })}\n`);
}

const MARK = { passed: 'ok', warned: 'WARN', failed: 'FAIL', skipped: 'skip' } as const;

export function snapshotPlainReporter(write: (line: string) => void = (line) => process.stdout.write(line)): (event: SnapshotEvent) => void {
  let lastProgress = 0;
  return (event) => {
    switch (event.type) {
      case 'snapshot-phase':
        if (event.status === 'running') {
          if (event.summary) write(`[${event.phase}] ${event.summary}\n`);
          return;
        }
        write(`[${event.phase}] ${MARK[event.status]}${event.summary ? `: ${event.summary}` : ''}${event.ms !== undefined ? ` (${(event.ms / 1000).toFixed(1)} s)` : ''}\n`);
        return;
      case 'snapshot-change': {
        const sizes = event.before !== undefined && event.change === 'changed' ? `${formatBytes(event.before)} → ${formatBytes(event.size)}` : formatBytes(event.change === 'removed' ? (event.before ?? 0) : event.size);
        const lines = event.lines ? `, +${event.lines.added} -${event.lines.removed} lines` : '';
        write(`  ${event.change.padEnd(7)} ${event.path} (${sizes}${event.lfs ? ', LFS' : ''}${lines})\n`);
        if (event.diff) for (const line of event.diff.split('\n')) write(`      ${line}\n`);
        return;
      }
      case 'snapshot-progress': {
        const now = Date.now();
        if (now - lastProgress < 2000 && event.bytes < event.total) return;
        lastProgress = now;
        write(`[${event.phase}] ${formatBytes(event.bytes)} of ${formatBytes(event.total)}${event.file ? ` (${event.file})` : ''}\n`);
        return;
      }
      case 'snapshot-object':
        if (!event.present) write(`  MISSING ${event.path} ${event.oid.slice(0, 12)}… (${formatBytes(event.size)}): ${event.why ?? ''}\n`);
        return;
      case 'snapshot-end':
        if (event.error) write(`SNAPSHOT FAILED: ${event.error}\n${event.hint ? `${event.hint}\n` : ''}`);
        else if (event.nothingChanged) write(`nothing changed since ${event.since?.tag} (${event.since?.date.slice(0, 10)}): no commit, no tag\n`);
        else if (event.dryRun) write(`dry run: nothing committed or pushed. ${event.exposure ?? ''}\n`);
        else if (event.archive) write(`ARCHIVE ${event.archive.file}: ${event.files} files, ${formatBytes(event.bytes ?? 0)}, sha256 ${event.archive.sha256}${event.archive.signature ? ', signed' : ''}${event.archive.tag ? `; the files of ${event.archive.tag}` : ''}\n`);
        else if (event.tag) write(`SNAPSHOT ${event.tag} → ${event.commit?.slice(0, 12)} on ${event.repo}: ${event.files} files, ${formatBytes(event.bytes ?? 0)}, ${event.objectsProven} LFS object(s) proven on the remote\n`);
        return;
    }
  };
}
