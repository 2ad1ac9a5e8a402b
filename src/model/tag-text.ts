/** A snapshot tag in one line — its date, LFS size, signature and last drill — for the tag picker and the plain face. */
import { formatBytes } from './format.js';
import type { SnapshotTag } from './record.js';

const SIGNATURE: Readonly<Record<SnapshotTag['signature'], string>> = {
  verified: 'signed ✔',
  unsigned: 'unsigned',
  bad: 'BAD SIGNATURE',
  unchecked: 'signed (unchecked)',
};

export function tagLabel(tag: SnapshotTag): string {
  const last = tag.lastDrill ? `last drill ${tag.lastDrill.verdict}` : 'never drilled';
  return `${tag.name.padEnd(22)} ${tag.date.slice(0, 10)} ${formatBytes(tag.lfsBytes).padStart(9)}  ${SIGNATURE[tag.signature].padEnd(13)} ${last}`;
}
