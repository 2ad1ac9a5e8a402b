/**
 * What `whisper-drill snapshot` says as it works: the plain lines, the NDJSON lines (`--json`,
 * drills/snapshot.schema.json) and the wizard are made from these events alone. This zod schema is
 * their one source.
 */
import { z } from 'zod';

export const SNAPSHOT_SCHEMA_VERSION = 1;

const version = z.literal(SNAPSHOT_SCHEMA_VERSION).describe('version of this schema');

export const SNAPSHOT_PHASES = ['gather', 'environment', 'wheelhouse', 'stage', 'commit', 'push', 'prove', 'tag', 'archive'] as const;
export type SnapshotPhase = (typeof SNAPSHOT_PHASES)[number];

export const phaseLine = z
  .object({
    type: z.literal('snapshot-phase'),
    schemaVersion: version,
    phase: z.enum(SNAPSHOT_PHASES),
    status: z.enum(['running', 'passed', 'warned', 'failed', 'skipped']),
    summary: z.string().optional(),
    ms: z.number().nonnegative().optional().describe('how long the phase took'),
  })
  .strict();

export const changeLine = z
  .object({
    type: z.literal('snapshot-change'),
    schemaVersion: version,
    path: z.string(),
    change: z.enum(['added', 'changed', 'removed']),
    size: z.number().int().nonnegative().describe('bytes in the new snapshot (0 when removed)'),
    before: z.number().int().nonnegative().optional().describe('bytes in the newest tag'),
    lfs: z.boolean(),
    lines: z.object({ added: z.number().int().nonnegative(), removed: z.number().int().nonnegative() }).strict().optional(),
    diff: z.string().optional().describe('the text diff of a changed text file'),
  })
  .strict();

export const progressLine = z
  .object({
    type: z.literal('snapshot-progress'),
    schemaVersion: version,
    phase: z.enum(SNAPSHOT_PHASES),
    bytes: z.number().nonnegative(),
    total: z.number().nonnegative(),
    file: z.string().optional(),
  })
  .strict();

export const proofLine = z
  .object({
    type: z.literal('snapshot-object'),
    schemaVersion: version,
    path: z.string(),
    oid: z.string(),
    size: z.number().int().nonnegative(),
    present: z.boolean(),
    why: z.string().optional(),
  })
  .strict()
  .describe('an LFS object of the new commit, as the remote was asked for it before the tag');

export const endLine = z
  .object({
    type: z.literal('snapshot-end'),
    schemaVersion: version,
    repo: z.string(),
    exitCode: z.number().int(),
    tag: z.string().optional().describe('the tag made and pushed'),
    commit: z.string().optional(),
    since: z.object({ tag: z.string(), date: z.string() }).strict().optional().describe('the newest tag before this snapshot'),
    nothingChanged: z.boolean().optional(),
    dryRun: z.boolean().optional(),
    exposure: z.string().optional().describe('how the live node differs from the newest tag, in words'),
    files: z.number().int().nonnegative().optional(),
    bytes: z.number().int().nonnegative().optional(),
    objectsProven: z.number().int().nonnegative().optional(),
    archive: z
      .object({ file: z.string(), sha256: z.string(), signature: z.string().optional(), tag: z.string().optional().describe('the hot tag whose files it holds') })
      .strict()
      .optional()
      .describe('snapshot --archive: the cold archive written'),
    error: z.string().optional(),
    hint: z.string().optional(),
  })
  .strict();

export const snapshotLineSchema = z.discriminatedUnion('type', [phaseLine, changeLine, progressLine, proofLine, endLine]);
export type SnapshotLine = z.infer<typeof snapshotLineSchema>;
/** An event as the core emits it: the schema version is added by the faces that print it. */
export type SnapshotEvent = SnapshotLine extends infer L ? (L extends SnapshotLine ? Omit<L, 'schemaVersion'> : never) : never;

/** The file's text (drills/snapshot.schema.json): two-space JSON and a final newline. */
export function snapshotJsonSchemaText(): string {
  const schema = {
    ...z.toJSONSchema(snapshotLineSchema, { target: 'draft-2020-12' }),
    title: 'whisper-drill snapshot lines',
    description: 'One JSON object per line on stdout with `whisper-drill snapshot --json`. See docs/snapshot.md.',
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
