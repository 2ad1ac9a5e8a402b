/** The cold archive's checks in one line, for report.md and the faces. */
import type { ArchiveFacts } from './record.js';

/** What the cold archive was checked against: its .sha256, its manifest, the hot tag it claims to copy. */
export function archiveLine(archive: ArchiveFacts): string {
  const sum = archive.expectedSha256 === null ? 'no .sha256' : archive.sha256 === null ? '.sha256 not compared (not read)' : archive.sha256 === archive.expectedSha256 ? 'sha256 matches its .sha256' : 'sha256 does NOT match its .sha256';
  const manifest = archive.manifest ? 'manifest present' : 'no manifest: its files could not be verified';
  const hot = archive.claimsTag ? `; claims ${archive.claimsTag}: ${archive.hotTier ? `${archive.hotTier.status} (${archive.hotTier.detail})` : 'not compared'}` : '';
  return `${sum}, ${manifest}${hot}`;
}
