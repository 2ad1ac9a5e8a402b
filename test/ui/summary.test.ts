/** The summary's next steps say what teardown found after an abort, never more. */
import { describe, expect, it } from 'vitest';
import type { DrillEvent } from '../../src/model/events.js';
import { nextSteps } from '../../src/ui/components/Summary.js';
import { initialState, reduce } from '../../src/ui/state.js';
import { DRILL_HEADINGS } from '../helpers/steps.js';

const at = '2026-11-29T00:00:00.000Z';

function ended(teardown: DrillEvent, cleanedUp: boolean) {
  const events: DrillEvent[] = [
    { type: 'step-start', at, step: 'teardown', title: 'Tear down' },
    teardown,
    { type: 'drill-end', at, verdict: 'aborted', durationMs: 1, exitCode: 130, summary: 'the drill was interrupted', cleanedUp },
  ];
  return events.reduce(reduce, initialState('demo', 'drill', DRILL_HEADINGS));
}

describe('next steps after an abort', () => {
  it('repeats what teardown did when it cleaned up', () => {
    const state = ended({ type: 'step-end', at, step: 'teardown', status: 'passed', durationMs: 60, summary: 'service stopped with SIGTERM in 40 ms; workspace /tmp/w removed' }, true);
    expect(nextSteps(state)).toEqual(['Teardown: service stopped with SIGTERM in 40 ms; workspace /tmp/w removed. Run it again when ready.']);
  });

  it('says teardown did not finish, with what to do, when something survived', () => {
    const state = ended(
      { type: 'step-end', at, step: 'teardown', status: 'failed', durationMs: 60, summary: 'process group 4242 of `app.py` survived SIGKILL', error: { message: 'process group 4242 of `app.py` survived SIGKILL', hint: 'kill -KILL -- -4242' } },
      false,
    );
    expect(nextSteps(state)).toEqual(['Teardown did not finish: process group 4242 of `app.py` survived SIGKILL — kill -KILL -- -4242']);
  });
});
