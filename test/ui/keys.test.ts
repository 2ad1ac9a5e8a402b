import { DRILL_HEADINGS } from '../helpers/steps.js';
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { keyIntent } from '../../src/ui/keys.js';
import { initialState, reduce, type WizardState } from '../../src/ui/state.js';

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
} as Key;
const key = (patch: Partial<Key>): Key => ({ ...noKey, ...patch });
const base = initialState('demo', 'drill', DRILL_HEADINGS);

describe('key intents', () => {
  it('q and Ctrl-C ask before aborting; y aborts; n declines', () => {
    expect(keyIntent(base, 'q', noKey, 10)).toEqual({ kind: 'dispatch', action: { type: 'abort-requested' } });
    expect(keyIntent(base, 'c', key({ ctrl: true }), 10)).toEqual({ kind: 'dispatch', action: { type: 'abort-requested' } });
    const asking: WizardState = { ...base, confirmAbort: true };
    expect(keyIntent(asking, 'y', noKey, 10)).toEqual({ kind: 'abort' });
    expect(keyIntent(asking, 'n', noKey, 10)).toEqual({ kind: 'dispatch', action: { type: 'abort-declined' } });
    expect(keyIntent(asking, '', key({ escape: true }), 10)).toEqual({ kind: 'dispatch', action: { type: 'abort-declined' } });
  });

  it('the drill ending while "Abort the drill?" waits puts the question away: at the sign-off Ctrl-C leaves it empty, aborting nothing', () => {
    const asking: WizardState = { ...base, confirmAbort: true };
    const signing = reduce(asking, { type: 'ask-sign-off', given: { operator: 'ops', notes: null } });
    expect(signing.confirmAbort).toBe(false);
    expect(signing.question).toEqual({ kind: 'sign-off', given: { operator: 'ops', notes: null }, outran: true });
    expect(reduce(base, { type: 'ask-sign-off', given: { operator: null, notes: null } }).question).toEqual({ kind: 'sign-off', given: { operator: null, notes: null } });
    expect(keyIntent(signing, 'c', key({ ctrl: true }), 10)).toEqual({ kind: 'skip-sign-off' });
    expect(keyIntent(signing, 'y', noKey, 10)).toEqual({ kind: 'none' });
  });

  it('a second Ctrl-C while aborting forces; other keys do nothing', () => {
    const aborting: WizardState = { ...base, aborting: true };
    expect(keyIntent(aborting, 'c', key({ ctrl: true }), 10)).toEqual({ kind: 'force' });
    expect(keyIntent(aborting, 'q', noKey, 10)).toEqual({ kind: 'none' });
  });

  it('q types into a non-empty tag filter', () => {
    const asking = reduce(reduce(base, { type: 'ask-tag', suggested: 'v1' }), { type: 'tag-filter', filter: 'v' });
    expect(keyIntent(asking, 'q', noKey, 10)).toEqual({ kind: 'none' });
    expect(keyIntent(asking, 'l', noKey, 10)).toEqual({ kind: 'none' });
  });

  it('scrolls the log view by line, by page and to either end', () => {
    const log: WizardState = { ...base, overlay: 'log' };
    expect(keyIntent(log, '', key({ upArrow: true }), 10)).toEqual({ kind: 'dispatch', action: { type: 'scroll-log', by: 1 } });
    expect(keyIntent(log, '', key({ pageDown: true }), 10)).toEqual({ kind: 'dispatch', action: { type: 'scroll-log', by: -10 } });
    expect(keyIntent(log, 'g', noKey, 10)).toEqual({ kind: 'dispatch', action: { type: 'scroll-log', by: 1e9 } });
    expect(keyIntent(log, 'l', noKey, 10)).toEqual({ kind: 'dispatch', action: { type: 'toggle-overlay', overlay: 'log' } });
  });

  it('Enter leaves the summary, also after an abort', () => {
    const aborted = [{ type: 'abort-requested' }, { type: 'abort-confirmed' }, { type: 'drill-end', cleanedUp: true, at: '', verdict: 'aborted', durationMs: 1, exitCode: 130, summary: '' }] as const;
    const state = aborted.reduce(reduce, base);
    expect(keyIntent(state, '', key({ return: true }), 10)).toEqual({ kind: 'exit' });
    const ended = reduce(base, { type: 'drill-end', cleanedUp: true, at: '', verdict: 'passed', durationMs: 1, exitCode: 0, summary: '' });
    expect(keyIntent(ended, '', key({ return: true }), 10)).toEqual({ kind: 'exit' });
    expect(keyIntent(ended, 'q', noKey, 10)).toEqual({ kind: 'exit' });
  });
});
