/**
 * Holds the wizard's state outside React: the core's events are reduced as they arrive, and the
 * screen is told at most ~10 times a second (a long install must not burn a core in the UI).
 * Everything else (a question, a step's end, a key) is shown at once.
 */
import { reduce, type WizardAction, type WizardState } from './state.js';

/** Everything but the core's progress and output lines: the operator's own keys must feel instant. */
const THROTTLED = new Set(['progress', 'log']);

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
      if (!THROTTLED.has(action.type)) notify();
      else timer ??= setTimeout(notify, intervalMs);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
