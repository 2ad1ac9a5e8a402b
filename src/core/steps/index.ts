/** The steps, in order: adding a step is one module and one line here. */
import type { Mode } from '../../model/record.js';
import { assertStep } from './assert.js';
import { environmentStep } from './environment.js';
import { fetchStep } from './fetch.js';
import { installStep } from './install.js';
import { snapshotStep } from './snapshot.js';
import { startStep } from './start.js';
import type { AnyStep } from './step.js';
import { teardownStep } from './teardown.js';
import { verifyStep } from './verify.js';

export const DRILL_STEPS: readonly AnyStep[] = [
  environmentStep,
  snapshotStep,
  fetchStep,
  verifyStep,
  installStep,
  startStep,
  assertStep,
  teardownStep,
];

/**
 * A drill and a setup go through every step; `check` is the same engine stopped after `environment`,
 * or after `snapshot` with --against TAG (the tag's lock is read there, nothing is restored).
 */
export function stepsFor(mode: Mode, against?: string): readonly AnyStep[] {
  if (mode !== 'check') return DRILL_STEPS;
  const ids = against ? ['environment', 'snapshot'] : ['environment'];
  return DRILL_STEPS.filter((step) => ids.includes(step.id));
}
