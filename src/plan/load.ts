/**
 * Loads a drill plan (YAML) into a typed Plan. The plan schema (schema.ts) validates the value
 * read from the document; every problem is reported with file:line:col and the key path, and all
 * of them are thrown together as one PlanError, in document order.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { PlanError, type PlanIssue } from './errors.js';
import { Locator } from './locate.js';
import { PlanSchema } from './schema.js';
import type { Plan } from './types.js';

export { PlanError } from './errors.js';

/** Reads and validates a plan file. Throws PlanError (also for an unreadable file). */
export async function loadPlan(file: string): Promise<Plan> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const message = `cannot read plan file ${file}: ${readFailure(err)}`;
    throw new PlanError([{ file, line: 0, col: 0, key: '', message }]);
  }
  return buildPlan(bytes.toString('utf8'), file, sha256(bytes));
}

/**
 * Validates plan text. `file` names the plan in messages; `Plan.file` is its absolute form and
 * relative paths in the plan (allowedSigners) resolve against its directory.
 */
export function parsePlan(text: string, file: string): Plan {
  return buildPlan(text, file, sha256(Buffer.from(text, 'utf8')));
}

function buildPlan(text: string, file: string, digest: string): Plan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate = new Locator(file, lines, doc);
  if (doc.errors.length > 0) fail(doc.errors.map((error) => locate.at(error.pos[0], '', `invalid YAML: ${error.message}`)));
  if (doc.contents === null) fail([locate.at(0, '', 'the plan is empty')]);

  const issues = locate.dropKeysThatAreNotNames();
  let value: unknown;
  try {
    value = doc.toJS(); // throws on an alias bomb (too many aliases)
  } catch (err) {
    fail([locate.at(0, '', `invalid YAML: ${err instanceof Error ? err.message : String(err)}`)]);
  }
  const result = PlanSchema.safeParse(value);
  if (!result.success) issues.push(...result.error.issues.flatMap((issue) => locate.fromZod(issue)));
  if (issues.length > 0 || !result.success) fail(issues);

  const absolute = path.resolve(file);
  const { snapshot } = result.data;
  const signers = snapshot.allowedSigners;
  return {
    ...result.data,
    file: absolute,
    sha256: digest,
    snapshot: signers === undefined ? snapshot : { ...snapshot, allowedSigners: path.resolve(path.dirname(absolute), signers) },
  };
}

/** Throws every issue, in document order (issues at the same place keep the order they were found in). */
function fail(issues: PlanIssue[]): never {
  throw new PlanError([...issues].sort((a, b) => a.line - b.line || a.col - b.col));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
