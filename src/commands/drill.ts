/** drill, setup and demo: load the plan, pick a front-end, run the drill, return the exit code. */
import path from 'node:path';
import { cacheRoot } from '../paths.js';
import { packageRoot } from '../paths.js';
import type { AskPort } from '../core/context.js';
import { runDrill } from '../core/drill.js';
import { UsageError } from '../core/errors.js';
import type { DrillEvent, Mode } from '../core/events.js';
import { loadPlan } from '../core/plan/load.js';
import type { Plan } from '../core/plan/types.js';
import { ndjsonReporter } from '../reporters/ndjson.js';
import { plainReporter } from '../reporters/plain.js';
import { ensureSampleBackup } from '../sample/build.js';
import type { CliArgs } from './args.js';
import type { FrontEnd } from './front-end.js';

export const DEFAULT_PLAN = 'drills/whisper-large-v3.yaml';
export const DEMO_PLAN = path.join(packageRoot, 'drills', 'demo.yaml');

/** Headless questions are answered from flags: --tag, or --yes for the suggested (newest) tag. */
export function headlessAsk(yes: boolean): AskPort {
  return {
    chooseTag: async (_tags, suggested) => {
      if (yes) return suggested;
      throw new UsageError('no --tag given: pass --tag TAG, or --yes to restore the newest tag');
    },
  };
}

export function headlessFrontEnd(args: Pick<CliArgs, 'json' | 'yes'>): FrontEnd {
  const emit: (event: DrillEvent) => void = args.json ? ndjsonReporter() : plainReporter();
  return { emit, ask: headlessAsk(args.yes), done: async () => undefined };
}

export interface DrillCommandInput {
  readonly args: CliArgs;
  readonly mode: Mode;
  readonly signal: AbortSignal;
  readonly frontEnd: (plan: Plan) => Promise<FrontEnd>;
}

export async function drillCommand({ args, mode, signal, frontEnd }: DrillCommandInput): Promise<number> {
  const planFile = args.command === 'demo' ? DEMO_PLAN : path.resolve(args.plan ?? DEFAULT_PLAN);
  const plan = await loadPlan(planFile);
  const ui = await frontEnd(plan);
  let finished = false;
  try {
    const result = await runDrill(
      {
        plan,
        mode,
        ...(args.tag ? { tag: args.tag } : {}),
        ...(mode === 'setup' ? { workdir: args.dir } : args.workdir ? { workdir: args.workdir } : {}),
        keep: args.keep,
        reportRoot: path.resolve(args.reportDir ?? plan.report.dir),
        cacheRoot: cacheRoot(),
        signal,
        ask: ui.ask,
        ...(args.dryRun ? { stopAfter: 'snapshot' as const } : {}),
        resolveBuiltinRepo: async (name, abort) => {
          if (name !== 'sample-backup') throw new UsageError(`builtin:${name}: the only built-in repository is builtin:sample-backup`);
          const sample = await ensureSampleBackup(cacheRoot(), abort);
          const note = `${sample.built ? 'built' : 'using'} the sample backup at ${sample.repoDir}`;
          return { url: sample.url, allowedSigners: sample.allowedSigners, note };
        },
      },
      ui.emit,
    );
    finished = true;
    return result.exitCode;
  } finally {
    await ui.done(finished);
  }
}
