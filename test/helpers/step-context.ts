/** A step's context for unit tests: the events and logs it produced are collected. */
import os from 'node:os';
import type { ProcessRunner } from '../../src/adapters/run.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { StepId } from '../../src/model/record.js';
import type { Plan } from '../../src/plan/types.js';
import type { StepOutputs, StepRunContext } from '../../src/core/steps/step.js';

export interface Collected<Id extends StepId> {
  readonly ctx: StepRunContext<Id>;
  readonly events: DrillEvent[];
  readonly logs: string[];
  readonly provided: Array<StepOutputs[Id]>;
}

export function stepContext<Id extends StepId>(plan: Plan, runner: ProcessRunner, dir = os.tmpdir()): Collected<Id> {
  const events: DrillEvent[] = [];
  const logs: string[] = [];
  const provided: Array<StepOutputs[Id]> = [];
  const ask = { chooseTag: async (_tags: unknown, suggested: string) => suggested };
  const ctx: StepRunContext<Id> = {
    options: { plan, mode: 'drill', keep: false, reportRoot: dir, cacheRoot: dir, signal: new AbortController().signal, ask, runner },
    ask,
    plan,
    signal: new AbortController().signal,
    runner,
    workspace: { dir, created: false },
    reportDir: () => dir,
    emit: (event) => events.push(event),
    log: (line) => logs.push(line),
    progress: () => undefined,
    secret: () => undefined,
    provide: (output) => provided.push(output),
    milestone: () => undefined,
    // A step alone in a unit test: nothing runs beside it, so whatever it waits for has happened.
    reached: async () => undefined,
    outputOf: async (id) => {
      throw new Error(`no ${id} beside this step in a unit test`);
    },
  };
  return { ctx, events, logs, provided };
}
