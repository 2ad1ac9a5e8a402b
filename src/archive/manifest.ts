/**
 * whisper-drill-manifest.json: the first entry of a cold archive written by whisper-drill. It names
 * every file with its size and sha256, the hot tier's tag the archive is a copy of, and the node's
 * environment lock; the drill checks each extracted byte against it.
 */
import { z } from 'zod';
import { DrillError } from '../model/errors.js';

export const MANIFEST_NAME = 'whisper-drill-manifest.json';
export const MANIFEST_FORMAT = 'whisper-drill-manifest/1';

const fileSchema = z.object({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  createdAt: z.string(),
  /** The hot tier's tag this archive holds the files of, when it was made from one. */
  tag: z.object({ name: z.string().min(1), commit: z.string() }).nullable(),
  files: z.array(fileSchema),
  /** The environment.lock.yaml recorded with the files, as text. */
  environmentLock: z.string().nullable(),
});

export type ManifestFile = z.infer<typeof fileSchema>;
export type ArchiveManifest = z.infer<typeof manifestSchema>;

/** The manifest's text as an archive carries it; a malformed one is named, never guessed at. */
export function parseManifest(text: string, where: string): ArchiveManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DrillError(`${where}: ${MANIFEST_NAME} is not JSON (${(error as Error).message})`, { hint: 'the archive was not written by whisper-drill snapshot --archive, or it is damaged' });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DrillError(`${where}: ${MANIFEST_NAME} is malformed at ${issue?.path.join('.') || 'its top'}: ${issue?.message ?? 'unknown'}`, { hint: 'the archive was not written by whisper-drill snapshot --archive, or it is damaged' });
  }
  return parsed.data;
}

export function manifestText(manifest: ArchiveManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** What the manifest's files add up to: the disk an extraction needs. */
export function manifestBytes(manifest: ArchiveManifest): number {
  return manifest.files.reduce((sum, file) => sum + file.size, 0);
}
