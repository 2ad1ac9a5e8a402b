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
import { archiveFetchStep } from './archive/fetch.js';
import { archiveSnapshotStep } from './archive/snapshot.js';
import { archiveVerifyStep } from './archive/verify.js';

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

/** The cold tier (--archive): the same drill, its snapshot, fetch and verify reading an archive. */
export const ARCHIVE_STEPS: readonly AnyStep[] = DRILL_STEPS.map((step) =>
  step.id === 'snapshot' ? archiveSnapshotStep : step.id === 'fetch' ? archiveFetchStep : step.id === 'verify' ? archiveVerifyStep : step,
);

/**
 * A drill and a setup go through every step; `check` is the same engine stopped after `environment`,
 * or after `snapshot` with --against TAG (the tag's lock is read there, nothing is restored).
 */
export function stepsFor(mode: Mode, against?: string, archive?: string): readonly AnyStep[] {
  if (mode !== 'check') return archive ? ARCHIVE_STEPS : DRILL_STEPS;
  const ids = against ? ['environment', 'snapshot'] : ['environment'];
  return DRILL_STEPS.filter((step) => ids.includes(step.id));
}
