/**
 * Holds the wizard's state outside React: the core's events are reduced as they arrive, and the
 * screen is told at most ~10 times a second (a long install must not burn a core in the UI).
 * Events that change what the operator must act on (a question, a step's end) are shown at once.
 */
import { reduce, type WizardAction, type WizardState } from './state.js';

const URGENT = new Set(['ask-tag', 'step-end', 'drill-end', 'abort-requested', 'abort-declined', 'abort-confirmed', 'tag-chosen', 'tags']);

export interface WizardStore {
  readonly getState: () => WizardState;
  readonly dispatch: (action: WizardAction) => void;
  readonly subscribe: (listener: () => void) => () => void;
}

export function createWizardStore(initial: WizardState, intervalMs = 100): WizardStore {
  let state = initial;
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  const notify = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const listener of listeners) listener();
  };
  return {
    getState: () => state,
    dispatch: (action) => {
      state = reduce(state, action);
      if (URGENT.has(action.type)) notify();
      else timer ??= setTimeout(notify, intervalMs);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
