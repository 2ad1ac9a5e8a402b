/**
 * snapshot: the backup side (src/backup/). Plain lines, or with --json one JSON object per line
 * (drills/snapshot.schema.json). Exit 0: tagged and proven, or nothing changed, or a dry run; 1: the
 * snapshot was refused or failed — the backup unreachable included — with nothing tagged; 2: a usage or
 * plan error; 130: interrupted.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileChange } from '../backup/changes.js';
import type { SnapshotEvent } from '../backup/events.js';
import { serviceFolder } from '../backup/gather.js';
import { snapshotArchive } from '../backup/archive.js';
import { makeSnapshot } from '../backup/snapshot.js';
import { runDrill } from '../core/engine.js';
import { builtinName } from '../model/builtin-repo.js';
import { measuredEnvironment, type MeasuredEnvironment } from '../model/environment-lock.js';
import { DrillError, usageError } from '../model/errors.js';
import { redactDeep, redactText, redactUrl } from '../model/redact.js';
import type { Plan } from '../plan/types.js';
import { loadPlan } from '../plan/load.js';
import { cacheRoot } from '../paths.js';
import { snapshotNdjsonReporter, snapshotPlainReporter } from '../reporters/snapshot-plain.js';
import { parseRemote, remoteSecrets, type Remote } from '../snapshot/remote.js';
import type { CliArgs } from './args.js';
import { headlessAsk } from './drill.js';
import { DEFAULT_PLAN } from './plan-file.js';

/** The service's python: the plan's (environment.torch.python, relative to the service folder), its venv's, or python3. */
async function servicePython(plan: Plan, from: string): Promise<string> {
  const candidate = path.resolve(from, plan.environment.torch?.python ?? '.venv/bin/python');
  return (await stat(candidate).then((info) => info.isFile(), () => false)) ? candidate : 'python3';
}

/** This node's environment as `check` measures it: the plan's checks, run beside the live service. */
function measureWith(plan: Plan, python: string, signal: AbortSignal): () => Promise<MeasuredEnvironment> {
  return async () => {
    const record = await runDrill(
      {
        plan,
        mode: 'check',
        keep: false,
        reportRoot: path.resolve(plan.report.dir),
        cacheRoot: cacheRoot(),
        signal,
        ask: headlessAsk({ fix: false }),
        ...(python !== 'python3' ? { servicePython: python } : {}),
      },
      () => undefined,
    );
    return measuredEnvironment(record.environment.facts);
  };
}

/** On a terminal (no --yes, no --json): the wizard, which asks before anything is pushed. */
export interface SnapshotFace {
  readonly emit: (event: SnapshotEvent) => void;
  readonly confirm?: (changes: readonly FileChange[]) => Promise<boolean>;
  readonly done: () => Promise<void>;
}

export async function snapshotCommand(args: CliArgs, signal: AbortSignal, wizard?: () => SnapshotFace): Promise<number> {
  const plan = await loadPlan(path.resolve(args.plan ?? DEFAULT_PLAN));
  if (builtinName(plan.snapshot.repo) !== undefined) throw usageError(`${plan.file}: snapshot.repo is ${plan.snapshot.repo}, the embedded sample: it is not a backup to write to`, 'point snapshot.repo at your backup repository');
  if (typeof args.archive === 'string' && (args.dryRun || args.tag)) throw usageError(`snapshot --archive writes a tar.gz, and ${args.dryRun ? '--dry-run writes nothing' : '--tag names a tag of the hot tier'}: give one or the other`);
  let prepared: { remote: Remote; from: string; python: string };
  try {
    const remote = parseRemote(plan.snapshot.repo, plan.snapshot.auth);
    const from = serviceFolder(plan, args.from);
    prepared = { remote, from, python: await servicePython(plan, from) };
  } catch (error) {
    // Said before anything runs (a credential variable unset, no backup: section): --json still ends with its line.
    if (!args.json || !(error instanceof DrillError)) throw error;
    snapshotNdjsonReporter()({ type: 'snapshot-end', exitCode: 1, repo: redactUrl(plan.snapshot.repo), error: error.message, ...(error.hint ? { hint: error.hint } : {}) });
    return 1;
  }
  const { remote, from, python } = prepared;
  const secrets = [...remoteSecrets(remote)];
  const face: SnapshotFace = wizard?.() ?? { emit: args.json ? snapshotNdjsonReporter() : snapshotPlainReporter(), done: async () => undefined };
  const emit = (event: SnapshotEvent) => face.emit(redactDeep(event, secrets));
  try {
    const input = {
      plan,
      remote,
      from,
      cacheRoot: cacheRoot(),
      ...(args.tag ? { tag: args.tag } : {}),
      ...(args.message ? { message: args.message } : {}),
      sign: args.sign ?? false,
      dryRun: args.dryRun,
      now: new Date(),
      measure: measureWith(plan, python, signal),
      python,
      emit,
      ...(face.confirm ? { confirm: face.confirm } : {}),
      signal,
      onSecret: (secret: string) => secrets.push(secret),
    };
    // --archive DIR: the cold tier, written beside (not instead of) the hot one's tags.
    const outcome = typeof args.archive === 'string' ? await snapshotArchive(input, path.resolve(args.archive)) : await makeSnapshot(input);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof DrillError && error.usage) throw error;
    const message = redactText(signal.aborted ? `interrupted: ${(signal.reason as Error | undefined)?.message ?? 'aborted'}` : (error as Error).message, secrets);
    const hint = signal.aborted ? 'nothing was tagged' : error instanceof DrillError && error.hint ? redactText(error.hint, secrets) : undefined;
    emit({ type: 'snapshot-end', exitCode: signal.aborted ? 130 : 1, repo: remote.display, error: message, ...(hint ? { hint } : {}) });
    return signal.aborted ? 130 : 1;
  } finally {
    await face.done();
  }
}
