/** drill, setup, demo and check: load the plan, pick a face, run the engine, save the report, return the exit code. */
import { findInterrupted } from '../core/resume.js';
import { clearEarlierSetup } from '../service/earlier-setup.js';
import { stat } from 'node:fs/promises';
import { serviceFolder } from '../backup/gather.js';
import { builtinName, knownBuiltin } from '../model/builtin-repo.js';
import type { CheckResult } from '../model/record.js';
import { parseRemote } from '../snapshot/remote.js';
import path from 'node:path';
import { assertWritableReports } from '../history/paths.js';
import { archiveLocation } from '../archive/source.js';
import { runDrill } from '../core/engine.js';
import { usageError } from '../model/errors.js';
import type { AskPort, FrontEnd } from '../model/ports.js';
import type { DrillRecord, Mode } from '../model/record.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { renderEnvironmentLock } from '../outputs/environment-lock.js';
import { readHistory } from '../history/read.js';
import { writeAtomically, writeOutputs, writeOutputsNow } from '../outputs/index.js';
import { cacheRoot } from '../paths.js';
import { ndjsonReporter } from '../reporters/ndjson.js';
import { plainReporter } from '../reporters/plain.js';
import { ensureSampleBackup } from '../sample/build.js';
import { apiKeyFrom } from './api-key.js';
import type { CliArgs } from './args.js';
import { writeMetricsFile } from './metrics-file.js';

import { planFileOf } from './plan-file.js';

/**
 * Headless questions are answered from flags: the tag is --tag (checked before the drill starts) or,
 * with --yes, the newest; unmet requirements are installed once with --fix, else the step fails.
 */
export function headlessAsk(args: Pick<CliArgs, 'fix'>): AskPort {
  let installed = false;
  return {
    chooseTag: async (_tags, suggested) => suggested,
    reviewEnvironment: async (review) => {
      if (!args.fix || installed || !review.canInstall) return 'continue';
      installed = true;
      return 'install';
    },
  };
}

export function headlessFrontEnd(args: Pick<CliArgs, 'json' | 'fix'>): FrontEnd {
  return { emit: args.json ? ndjsonReporter() : plainReporter(), ask: headlessAsk(args), done: async () => undefined };
}

export interface DrillCommandInput {
  readonly args: CliArgs;
  readonly mode: Mode;
  readonly signal: AbortSignal;
  /** No terminal to ask on (plain or NDJSON). */
  readonly headless?: boolean;
  readonly frontEnd: (plan: Plan) => Promise<FrontEnd>;
}

/** `check --record FILE`: the node's environment for the backup job to commit with the tag (stderr: stdout may carry NDJSON). */
async function recordEnvironment(record: DrillRecord, file: string): Promise<void> {
  const target = path.resolve(file);
  await writeAtomically(target, renderEnvironmentLock(record));
  process.stderr.write(`environment recorded in ${target} (this node is ${record.verdict === 'passed' ? 'healthy' : `not healthy: ${record.verdict}`})\n`);
}

/**
 * `check` of a plan with a backup: section on the node that runs the service (backup.from, or
 * --from, exists here): the exposure check, measured by the backup side.
 */
async function exposureOf(plan: Plan, args: CliArgs, signal: AbortSignal): Promise<(() => Promise<CheckResult>) | undefined> {
  if (!plan.backup && !args.from) return undefined;
  if (builtinName(plan.snapshot.repo) !== undefined) return undefined;
  const from = serviceFolder(plan, args.from);
  if (!(await stat(from).then((info) => info.isDirectory(), () => false))) return undefined;
  const remote = parseRemote(plan.snapshot.repo, plan.snapshot.auth);
  const { backupExposureCheck } = await import('../backup/exposure-check.js');
  return () => backupExposureCheck({ plan, remote, from, cacheRoot: cacheRoot(), now: new Date(), signal });
}

export async function drillCommand({ args, mode, signal, headless = false, frontEnd }: DrillCommandInput): Promise<number> {
  const plan = await loadPlan(planFileOf(args));
  // A built-in repository the tool does not have is a mistake in the plan, found before any step runs.
  knownBuiltin(plan.snapshot.repo, `${plan.file}: snapshot.repo `);
  // `check` calls no service: it needs no key.
  const apiKey = mode === 'check' ? undefined : apiKeyFrom(plan.service.apiKeyEnv, `${plan.file}: service.apiKeyEnv`);
  const reportRoot = path.resolve(args.reportDir ?? plan.report.dir);
  assertWritableReports(reportRoot, plan.name);
  // The plan's history is read once, here: the policy check, the tags' last drills, the changes and the metrics use it.
  const history = await readHistory(reportRoot, plan.name);
  // The cold tier: demo --archive drills the sample's archive; a path is the operator's, from here.
  const archive = args.archive === true ? (await ensureSampleBackup(cacheRoot())).archive : args.archive === undefined ? undefined : archiveLocation(args.archive).href;
  if (args.resume && args.dryRun) throw usageError('--resume and --dry-run: a dry run restores nothing to go on with', 'leave --dry-run out to resume the killed drill');
  // --resume: the drill that was killed, found before any face starts (a wrong DIR is a usage error).
  const resume = args.resume && mode !== 'check' ? findInterrupted(cacheRoot(), args.resume, plan.name, mode) : undefined;
  if (resume && args.archive !== undefined && !resume.archive) throw usageError(`--archive: the drill resumed was restoring a tag${resume.tag ? ` (${resume.tag.name})` : ''}, not an archive`, 'leave --archive out to resume it');
  if (resume?.tag && args.tag && args.tag !== resume.tag.name) throw usageError(`--tag ${args.tag}: the drill resumed was restoring ${resume.tag.name}`, 'leave --tag out to resume it, or drill the other tag afresh');
  const tag = args.tag ?? resume?.tag?.name;
  if (resume && headless && !tag && !resume.archive && !args.yes) throw usageError(`the drill resumed was killed before it chose a tag: pass --tag TAG, or --yes to restore the newest (no questions are asked without a terminal)`);
  if (resume && (args.workdir || (args.dir && path.resolve(args.dir) !== resume.workspace))) throw usageError(`--resume goes on in the killed drill's workspace, ${resume.workspace}: leave --workdir and --dir out`);
  const face = await frontEnd(plan);
  let finished = false;
  // `check` probes PyTorch and freezes the venv with the service's python as the plan names it, relative to where check runs.
  const servicePython = mode === 'check' ? path.resolve(plan.environment.torch?.python ?? '.venv/bin/python') : undefined;
  const exposure = mode === 'check' ? await exposureOf(plan, args, signal) : undefined;
  try {
    const record = await runDrill(
      {
        plan,
        mode,
        ...(tag ? { tag } : {}),
        ...(archive ? { archive } : resume?.archive ? { archive: resume.archive } : {}),
        ...(mode === 'check' && args.against ? { tag: args.against, against: args.against } : {}),
        ...(resume ? { resume, workdir: resume.workspace } : mode === 'setup' ? { workdir: args.dir } : args.workdir ? { workdir: args.workdir } : {}),
        keep: args.keep || resume?.keep === true,
        // A resumed setup --systemd hands its service to systemd as the killed one would have.
        ...(args.systemd || resume?.systemd === true ? { systemdUnit: true } : {}),
        ...(mode === 'setup' && args.yes ? { linkModelsInHome: true } : {}),
        reportRoot,
        history,
        cacheRoot: cacheRoot(),
        signal,
        ask: face.ask,
        ...(args.dryRun ? { stopAfter: 'snapshot' as const } : {}),
        ...(servicePython ? { servicePython } : {}),
        ...(exposure ? { exposure } : {}),
        ...(apiKey ? { apiKey } : {}),
        ...(args.operator || args.notes ? { signOff: { operator: args.operator ?? null, notes: args.notes ?? null } } : {}),
        resolveBuiltinRepo: async (_name, abort) => {
          const sample = await ensureSampleBackup(cacheRoot(), abort);
          const note = `${sample.built ? 'built' : 'using'} the sample backup at ${sample.repoDir}`;
          return { url: sample.url, allowedSigners: sample.allowedSigners, note };
        },
        // setup into a DIR it set up before restores anew; a drill wants a new or empty one.
        ...(mode === 'setup' ? { reuseWorkdir: (dir: string) => clearEarlierSetup(dir, plan) } : {}),
        save: async (record) => {
          await writeOutputs(record);
          if (args.metricsFile) await writeMetricsFile(args.metricsFile, record, history);
        },
        saveNow: writeOutputsNow,
      },
      face.emit,
    );
    finished = true;
    if (args.record) await recordEnvironment(record, args.record);
    return record.exitCode;
  } finally {
    await face.done(finished);
  }
}
