/** What a step does with a drift comparison: announce it, keep it for the record, fail on a `fail` difference. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pipFreeze } from '../../probes/pip.js';
import { measuredEnvironment, type EnvironmentLock } from '../../model/environment-lock.js';
import { describeDriftItem, driftInBrief } from '../../model/drift-text.js';
import { driftAgainst } from '../drift/report.js';
import { DrillError } from '../../model/errors.js';
import type { DriftReport, StepId } from '../../model/record.js';
import { driftSettings } from '../../plan/schema-drift.js';
import type { StepContext } from './step.js';

export function settleDrift(ctx: StepContext, step: StepId, report: DriftReport): { warned: boolean; line: string } {
  ctx.emit({ type: 'drift', step, drift: report });
  const failing = report.items.filter((item) => item.severity === 'fail');
  if (failing.length > 0) {
    throw new DrillError(`this node differs from the environment ${report.tag} was verified on: ${failing.map(describeDriftItem).join('; ')}`, {
      hint: 'bring the node in line with the tag\'s environment.lock.yaml, or lower environment.drift in the plan if the difference is acceptable',
    });
  }
  return { warned: report.items.some((item) => item.severity === 'warn') || report.problem !== undefined, line: driftInBrief(report) };
}

/**
 * After install: torch, its CUDA and cuDNN, and the venv's packages (pip freeze) against the tag's
 * lock — what a fresh install resolved may differ from what the snapshot was verified with.
 */
export async function settleServiceDrift(ctx: StepContext, tag: string, lock: EnvironmentLock, torchFacts: unknown, isolated: Readonly<Record<string, string>> = {}): Promise<{ warned: boolean; line: string }> {
  const python = path.join(ctx.workspace.dir, ctx.plan.environment.torch?.python ?? '.venv/bin/python');
  const pip = existsSync(python) ? await pipFreeze(python, { env: { ...ctx.options.env, ...isolated }, runner: ctx.runner, cwd: ctx.workspace.dir, signal: ctx.signal }) : undefined;
  if (pip) ctx.emit({ type: 'facts', step: 'install', facts: { pip } });
  const here = measuredEnvironment({ ...(torchFacts ? { torch: torchFacts } : {}), ...(pip ? { pip } : {}) });
  return settleDrift(ctx, 'install', driftAgainst(tag, lock, here, driftSettings(ctx.plan), ['torch', 'cuda', 'cudnn', 'packages']));
}
