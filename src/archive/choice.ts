/** The cold archive a drill restores, as its snapshot step found it: what fetch and verify go on. */
import type { ArchiveFacts } from '../model/record.js';
import type { LfsPointer } from '../snapshot/pointers.js';
import type { ArchiveManifest } from './manifest.js';
import type { SignatureFile } from './signature.js';
import type { ArchiveLocation, ArchiveServer } from './source.js';

export interface ArchiveChoice {
  readonly location: ArchiveLocation;
  readonly server: ArchiveServer;
  readonly expectedSha256?: string;
  /** The .sig, and the allowed signer who made it: fetch verifies it over the bytes as it reads them. */
  readonly signature?: { readonly file: SignatureFile; readonly principal: string; readonly allowedSigners: string };
  readonly manifest?: ArchiveManifest;
  /** The LFS pointers of the hot tag the manifest names, when the hot tier could be asked. */
  readonly hotPointers?: readonly LfsPointer[];
  readonly facts: ArchiveFacts;
}

/** What the archive held, as extracted: every file's size and sha256 as written. */
export interface ArchiveExtraction {
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number; readonly sha256: string }>;
  readonly sha256: string;
  /** The manifest as read from the very bytes extracted (and checked against the .sha256 and the signature). */
  readonly manifest?: ArchiveManifest;
}

/** Lets go of what the snapshot step holds: the server's connections, the signature's temporary file. */
export async function releaseArchive(choice: Pick<ArchiveChoice, 'server' | 'signature'> | undefined): Promise<void> {
  choice?.server.close();
  await choice?.signature?.file.remove();
}
