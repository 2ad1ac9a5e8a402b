/**
 * audit: is every tag of the plan's backup restorable, without downloading it (src/audit/). Plain
 * text, or with --json one JSON object per line: an `audit-tag` per tag, then `audit-end`. Exit 0 when
 * the newest tag and every tag matching the plan's `audit.mustRestore` are restorable, 1 when one is
 * not, 3 when the backup could not be reached or asked, 2 for a usage error. On a terminal the tags are
 * a list to scroll (src/ui/audit/), whose Enter drills the highlighted tag.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { auditBackup, type AuditResult } from '../audit/audit.js';
import { AUDIT_SCHEMA_VERSION, type AuditLine } from '../audit/audit-schema.js';
import { renderAudit } from '../audit/render.js';
import { readHistory } from '../history/read.js';
import { builtinName, knownBuiltin } from '../model/builtin-repo.js';
import { DrillError } from '../model/errors.js';
import { globMatcher } from '../model/glob.js';
import { redactDeep, redactText } from '../model/redact.js';
import { writeAtomically } from '../outputs/index.js';
import { renderAuditMetrics } from '../outputs/audit-metrics.js';
import { loadPlan } from '../plan/load.js';
import { cacheRoot } from '../paths.js';
import { ensureSampleBackup } from '../sample/build.js';
import { parseRemote, remoteSecrets } from '../snapshot/remote.js';
import type { CliArgs } from './args.js';

/** One line of `--json` (drills/audit.schema.json). */
function printLine(line: AuditLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The tags whose restorability decides the exit code: the newest, and those the plan names. */
function mustRestore(result: AuditResult, pattern: string | undefined): Set<string> {
  const matches = pattern ? globMatcher(pattern) : () => false;
  return new Set(result.rows.filter((row, index) => index === 0 || matches(row.tag)).map((row) => row.tag));
}

/** On a terminal: the audit's list, which answers with a tag to drill (Enter) or none (q). */
export type ChooseToDrill = (result: AuditResult, mustRestore: ReadonlySet<string>) => Promise<string | undefined>;

export interface AuditOutcome {
  readonly exitCode: number;
  /** The tag the operator chose to drill from the list. */
  readonly drill?: string;
}

export async function auditCommand(args: CliArgs, signal: AbortSignal, choose?: ChooseToDrill): Promise<AuditOutcome> {
  const plan = await loadPlan(path.resolve(args.plan ?? 'drills/whisper-large-v3.yaml'));
  knownBuiltin(plan.snapshot.repo, `${plan.file}: snapshot.repo `);
  let repo = plan.snapshot.repo;
  let allowedSigners = plan.snapshot.allowedSigners;
  if (builtinName(repo) !== undefined) {
    const sample = await ensureSampleBackup(cacheRoot(), signal);
    repo = sample.url;
    allowedSigners ??= sample.allowedSigners;
  }
  const remote = parseRemote(repo, plan.snapshot.auth);
  const secrets = [...remoteSecrets(remote)];
  const reportRoot = path.resolve(args.reportDir ?? plan.report.dir);
  const say = (text: string) => redactText(text, secrets);
  let result: AuditResult;
  try {
    result = await auditBackup({
      plan,
      remote,
      pattern: args.tags ?? plan.snapshot.tags,
      ...(allowedSigners ? { allowedSigners } : {}),
      cacheRoot: cacheRoot(),
      history: await readHistory(reportRoot, plan.name),
      signal,
      onSecret: (secret) => secrets.push(secret),
    });
  } catch (error) {
    // The backup could not be reached or asked: nothing is known about its tags.
    const message = say((error as Error).message);
    const hint = error instanceof DrillError && error.hint ? say(error.hint) : undefined;
    if (args.json) printLine({ type: 'audit-end', schemaVersion: AUDIT_SCHEMA_VERSION, repo: remote.display, error: message, ...(hint ? { hint } : {}), exitCode: 3 });
    else process.stderr.write(`whisper-drill audit: ${remote.display}: ${message}\n${hint ? `${hint}\n` : ''}`);
    return { exitCode: 3 };
  }
  const must = mustRestore(result, plan.audit?.mustRestore);
  const failing = result.rows.filter((row) => must.has(row.tag) && !row.restorable).map((row) => row.tag);
  const exitCode = result.rows.length === 0 ? 3 : failing.length > 0 ? 1 : 0;
  if (args.metricsFile) {
    const target = path.resolve(args.metricsFile);
    await mkdir(path.dirname(target), { recursive: true });
    await writeAtomically(target, redactText(renderAuditMetrics(result, { plan: plan.name, host: os.hostname() }, must, exitCode, new Date()), secrets));
  }
  if (choose && !args.json && result.rows.length > 0) {
    // The list shows what the table and the lines would: scrubbed of the backup's credentials.
    const drill = await choose(redactDeep(result, secrets), must);
    return { exitCode, ...(drill ? { drill } : {}) };
  }
  if (args.json) {
    for (const row of result.rows) printLine(redactDeep({ type: 'audit-tag', schemaVersion: AUDIT_SCHEMA_VERSION, ...row, mustRestore: must.has(row.tag) }, secrets));
    const restorable = result.rows.filter((row) => row.restorable).length;
    printLine(redactDeep({ type: 'audit-end', schemaVersion: AUDIT_SCHEMA_VERSION, repo: result.repo, tags: result.rows.length, restorable, objects: result.objects, missingObjects: result.missingObjects, failing, exitCode }, secrets));
  } else {
    process.stdout.write(say(renderAudit(result, must)));
    if (result.rows.length === 0) process.stdout.write(`no tag of ${result.repo} matches "${args.tags ?? plan.snapshot.tags}": nothing to audit\n`);
    else if (failing.length > 0) process.stdout.write(`NOT RESTORABLE: ${failing.join(', ')}\n`);
  }
  return { exitCode };
}
