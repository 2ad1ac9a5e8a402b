/**
 * The lines `whisper-drill audit --json` prints, one JSON object each: an `audit-tag` per tag, newest
 * first, then one `audit-end`. This zod schema is their one source; drills/audit.schema.json is
 * generated from it (`npm run schema`), and the command's lines are typed by it.
 */
import { z } from 'zod';

export const AUDIT_SCHEMA_VERSION = 1;

const version = z.literal(AUDIT_SCHEMA_VERSION).describe('version of this schema');

export const auditTagLine = z
  .object({
    type: z.literal('audit-tag'),
    schemaVersion: version,
    tag: z.string(),
    date: z.string().describe("the tag's date (ISO 8601)"),
    commit: z.string(),
    lfsFiles: z.number().int().nonnegative(),
    lfsBytes: z.number().int().nonnegative(),
    signature: z.enum(['verified', 'unsigned', 'bad', 'unchecked']),
    restorable: z.boolean(),
    problems: z.array(z.string()).readonly().describe('why not: each LFS object missing or of the wrong size, each file a drill reads that the tag lacks, a bad signature'),
    lock: z.boolean().describe('the tag carries an environment.lock.yaml'),
    wheelhouse: z.boolean().describe('the tag carries a wheelhouse (wheels/)'),
    lastDrill: z.object({ verdict: z.enum(['passed', 'failed', 'inconclusive', 'aborted']), at: z.string() }).strict().optional(),
    mustRestore: z.boolean().describe('the exit code depends on it: the newest tag, or one matching audit.mustRestore'),
  })
  .strict();

export const auditEndLine = z
  .object({
    type: z.literal('audit-end'),
    schemaVersion: version,
    repo: z.string(),
    tags: z.number().int().nonnegative().optional(),
    restorable: z.number().int().nonnegative().optional(),
    objects: z.number().int().nonnegative().optional().describe('distinct LFS objects asked about'),
    missingObjects: z.number().int().nonnegative().optional(),
    failing: z.array(z.string()).readonly().optional().describe('tags that must be restorable and are not'),
    error: z.string().optional().describe('the backup could not be reached or asked (exit code 3)'),
    hint: z.string().optional(),
    exitCode: z.number().int(),
  })
  .strict();

export const auditLineSchema = z.discriminatedUnion('type', [auditTagLine, auditEndLine]);
export type AuditLine = z.infer<typeof auditLineSchema>;

/** The file's text (drills/audit.schema.json): two-space JSON and a final newline. */
export function auditJsonSchemaText(): string {
  const schema = {
    ...z.toJSONSchema(auditLineSchema, { target: 'draft-2020-12' }),
    title: 'whisper-drill audit lines',
    description: 'One JSON object per line on stdout with `whisper-drill audit --json`. See docs/audit.md.',
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
