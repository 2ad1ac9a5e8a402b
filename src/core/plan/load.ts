/**
 * Loads a drill plan (YAML) into a typed Plan. Every problem is reported with file:line:col and
 * the key path; all problems are collected and thrown together as one PlanError.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { PlanError } from './errors.js';
import { Ctx, describe, readStrings, Section } from './fields.js';
import { DEFAULTS, isPlanName, PLAN_KEYS } from './rules.js';
import { compact, readAssertions, readEnvironment, readService } from './sections.js';
import type { Plan, SnapshotPlan } from './types.js';

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
  const ctx = new Ctx(file, lines, doc);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) ctx.addAt(error.pos[0], '', `invalid YAML: ${error.message}`);
    throw new PlanError(sorted(ctx));
  }
  if (doc.contents === null) {
    ctx.addAt(0, '', 'the plan is empty');
    throw new PlanError(sorted(ctx));
  }
  const top = Section.of(ctx, doc.contents, '', PLAN_KEYS['']);
  if (!top) throw new PlanError(sorted(ctx));

  const absolute = path.resolve(file);
  const name = top.string('name', {
    required: true,
    check: isPlanName,
    what: 'a name made of letters, digits, ".", "_" and "-" (it names the report folder)',
  });
  const description = top.string('description');
  const snapshot = readSnapshot(top, path.dirname(absolute));
  const environment = readEnvironment(top);
  const install = readInstall(top);
  const service = readService(top);
  const assertions = readAssertions(top);
  const report = top.section('report', PLAN_KEYS.report);
  const reportDir = report?.string('dir', { nonEmpty: true }) ?? DEFAULTS.reportDir;

  if (ctx.issues.length > 0 || !snapshot || !service) throw new PlanError(sorted(ctx));
  return compact({
    name: name!,
    description,
    file: absolute,
    sha256: digest,
    snapshot,
    environment,
    install: install.commands,
    installTimeoutSec: install.timeoutSec,
    service,
    assertions,
    report: { dir: reportDir },
  });
}

function readSnapshot(top: Section, planDir: string): SnapshotPlan | undefined {
  const s = top.section('snapshot', PLAN_KEYS.snapshot, true);
  if (!s) return undefined;
  const repo = s.string('repo', { required: true, nonEmpty: true });
  const tags = s.string('tags', { nonEmpty: true }) ?? DEFAULTS.tags;
  const requireSignedTag = s.boolean('requireSignedTag') ?? DEFAULTS.requireSignedTag;
  const signers = s.string('allowedSigners', { nonEmpty: true });
  if (requireSignedTag && !s.has('allowedSigners')) s.missing('allowedSigners', 'required when requireSignedTag is true');
  return compact({
    repo: repo!,
    tags,
    requireSignedTag,
    allowedSigners: signers === undefined ? undefined : path.resolve(planDir, signers),
  });
}

/** `install` is either a list of commands or { commands, timeoutSec }. */
function readInstall(top: Section): { commands: string[]; timeoutSec: number } {
  const { ctx } = top;
  const node = ctx.deref(top.raw('install'));
  const fallback = { commands: [], timeoutSec: DEFAULTS.installTimeoutSec };
  if (node === undefined) return fallback;
  if (isSeq(node)) return { ...fallback, commands: readStrings(ctx, node, 'install', { nonEmpty: true }) ?? [] };
  if (!isMap(node)) {
    ctx.add(node, 'install', `expected a list of commands or a mapping with commands and timeoutSec, got ${describe(node)}`);
    return fallback;
  }
  const s = Section.of(ctx, node, 'install', PLAN_KEYS.install)!;
  return {
    commands: s.strings('commands', { required: true, nonEmpty: true }) ?? [],
    timeoutSec: s.number('timeoutSec', { min: 0, exclusiveMin: true }) ?? DEFAULTS.installTimeoutSec,
  };
}

function sorted(ctx: Ctx) {
  return [...ctx.issues].sort((a, b) => a.line - b.line || a.col - b.col);
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
