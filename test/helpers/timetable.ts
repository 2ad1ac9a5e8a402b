/**
 * The engine's timetable as the events show it: each step starts once and ends once; a step starts
 * after every step ahead of it has ended — install excepted, which starts at fetch's checkout, beside
 * the LFS download (start waits for it and for verify).
 */
import { expect } from 'vitest';
import { DRILL_STEPS } from '../../src/core/steps/index.js';

const STEP_IDS = DRILL_STEPS.map((step) => step.id);

/** `marks`: "step-start fetch", "step-end fetch", … in the order the events came. */
export function expectTimetable(marks: readonly string[]): void {
  expect([...marks].sort()).toEqual(STEP_IDS.flatMap((id) => [`step-start ${id}`, `step-end ${id}`]).sort());
  const at = (mark: string) => marks.indexOf(mark);
  for (const [index, id] of STEP_IDS.entries()) {
    expect(at(`step-start ${id}`), id).toBeLessThan(at(`step-end ${id}`));
    if (id === 'install') {
      expect(at('step-start install'), 'install starts once fetch has').toBeGreaterThan(at('step-start fetch'));
      continue;
    }
    for (const ahead of STEP_IDS.slice(0, index)) expect(at(`step-end ${ahead}`), `${ahead} ends before ${id} starts`).toBeLessThan(at(`step-start ${id}`));
  }
}
