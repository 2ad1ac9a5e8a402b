import { DRILL_HEADINGS } from '../helpers/steps.js';
import { describe, expect, it } from 'vitest';
import type { DrillEvent } from '../../src/model/events.js';
import { initialState, reduce, runningStep, TAIL_LINES, type WizardAction } from '../../src/ui/state.js';

const at = '2026-11-24T03:00:00.000Z';

function run(actions: readonly WizardAction[]) {
  return actions.reduce(reduce, initialState('demo', 'drill', DRILL_HEADINGS));
}

describe('wizard reducer', () => {
  it('tracks a step from pending through running to its end', () => {
    const started = run([{ type: 'step-start', at, step: 'fetch', title: 'Fetch' }]);
    expect(runningStep(started)?.id).toBe('fetch');
    const ended = reduce(started, { type: 'step-end', at, step: 'fetch', status: 'passed', durationMs: 1500, summary: '3 objects' });
    expect(runningStep(ended)).toBeUndefined();
    expect(ended.steps.find((s) => s.id === 'fetch')).toMatchObject({ status: 'passed', durationMs: 1500, summary: '3 objects' });
    expect(ended.steps.filter((s) => s.status === 'pending')).toHaveLength(7);
  });

  it('keeps only the last lines of output, and starts afresh with each step', () => {
    const logs: DrillEvent[] = Array.from({ length: 20 }, (_, i) => ({ type: 'log', step: 'install', stream: 'stdout', line: `line ${i}` }));
    const state = run([{ type: 'step-start', at, step: 'install', title: 'Install' }, ...logs]);
    expect(state.tail).toHaveLength(TAIL_LINES);
    expect(state.tail.at(-1)).toBe('line 19');
    expect(reduce(state, { type: 'step-start', at, step: 'start', title: 'Start' }).tail).toEqual([]);
  });

  it('replaces a re-measured check instead of listing it twice', () => {
    const check = { id: 'ffmpeg', title: 'FFmpeg', status: 'failed', measured: 'not found' } as const;
    const state = run([
      { type: 'check', step: 'environment', check },
      { type: 'check', step: 'environment', check: { ...check, status: 'passed', measured: 'FFmpeg 5.1' } },
    ]);
    expect(state.checks).toEqual([{ ...check, status: 'passed', measured: 'FFmpeg 5.1', step: 'environment' }]);
  });

  it('asks for a tag and forgets the question once answered', () => {
    const asked = run([{ type: 'ask-tag', suggested: 'v2' }]);
    expect(asked.question).toEqual({ kind: 'tag', suggested: 'v2' });
    const answered = reduce(asked, { type: 'tag-chosen', tag: 'v1' });
    expect(answered.question).toBeUndefined();
    expect(answered.chosenTag).toBe('v1');
  });

  it('asks before aborting, and can be talked out of it', () => {
    const asked = run([{ type: 'abort-requested' }]);
    expect(asked.confirmAbort).toBe(true);
    expect(reduce(asked, { type: 'abort-declined' }).confirmAbort).toBe(false);
    const confirmed = reduce(asked, { type: 'abort-confirmed' });
    expect(confirmed).toMatchObject({ confirmAbort: false, aborting: true });
  });

  it('does not offer to abort a drill that has ended', () => {
    const ended = run([{ type: 'drill-end', cleanedUp: true, at, verdict: 'passed', durationMs: 1000, exitCode: 0, summary: 'ok' }]);
    expect(reduce(ended, { type: 'abort-requested' }).confirmAbort).toBe(false);
  });
});

describe('wizard store', () => {
  it('reduces frequent events in one batch and shows the last progress of each step', async () => {
    const { batch } = await import('../../src/ui/store.js');
    const actions = batch([
      { type: 'log', step: 'install', stream: 'stdout', line: 'a' },
      { type: 'progress', step: 'install', progress: { current: 1, total: 3, unit: 'files' } },
      { type: 'log', step: 'install', stream: 'stdout', line: 'b' },
      { type: 'progress', step: 'install', progress: { current: 2, total: 3, unit: 'files' } },
      { type: 'log', step: 'start', stream: 'stdout', line: 'c' },
    ]);
    expect(actions).toEqual([
      { type: 'log-lines', step: 'install', lines: ['a', 'b'] },
      { type: 'log-lines', step: 'start', lines: ['c'] },
      { type: 'progress', step: 'install', progress: { current: 2, total: 3, unit: 'files' } },
    ]);
  });

  it('applies queued lines before an urgent event, so a step\'s output is not lost at its end', async () => {
    const { createWizardStore } = await import('../../src/ui/store.js');
    const store = createWizardStore(initialState('demo', 'drill', DRILL_HEADINGS), 60_000, 60_000);
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.dispatch({ type: 'step-start', at, step: 'install', title: 'Install' });
    store.dispatch({ type: 'log', step: 'install', stream: 'stdout', line: 'last line' });
    expect(store.getState().logs.install).toBeUndefined();
    store.dispatch({ type: 'step-end', at, step: 'install', status: 'passed', durationMs: 1, summary: '' });
    expect(store.getState().logs.install).toEqual(['last line']);
    expect(notified).toBe(2);
  });
});
