/**
 * Holds the wizard's state outside React. The core's progress and output lines are frequent (pip
 * can print thousands of lines a second): they are queued and reduced in one batch at most ~10
 * times a second, then the screen is told once. Everything else (a question, a step's end, a key)
 * first applies what is queued, then itself, and is shown at once.
 */
import type { DrillEvent } from '../model/events.js';
import type { StepId } from '../model/record.js';
import { reduce, type WizardAction, type WizardState } from './state.js';

export interface WizardStore {
  readonly getState: () => WizardState;
  readonly dispatch: (action: WizardAction) => void;
  readonly subscribe: (listener: () => void) => () => void;
}

type Frequent = Extract<DrillEvent, { type: 'progress' } | { type: 'log' }>;

function isFrequent(action: WizardAction): action is Frequent {
  return action.type === 'progress' || action.type === 'log';
}

/** Consecutive lines of one step become one action; only the newest progress of a step matters. */
export function batch(queued: readonly Frequent[]): WizardAction[] {
  const runs: Array<{ step: StepId; lines: string[] }> = [];
  const latestProgress = new Map<StepId, Frequent>();
  for (const event of queued) {
    if (event.type === 'progress') {
      latestProgress.set(event.step, event);
      continue;
    }
    const last = runs.at(-1);
    if (last?.step === event.step) last.lines.push(event.line);
    else runs.push({ step: event.step, lines: [event.line] });
  }
  return [...runs.map(({ step, lines }): WizardAction => ({ type: 'log-lines', step, lines })), ...latestProgress.values()];
}

/**
 * @param intervalMs how long progress may wait before it is drawn (~10 frames a second)
 * @param logIntervalMs how long output lines may wait: a human reads a scrolling tail at a few frames
 *   a second, and each frame costs the terminal renderer several milliseconds
 */
export function createWizardStore(initial: WizardState, intervalMs = 100, logIntervalMs = 250): WizardStore {
  let state = initial;
  let queued: Frequent[] = [];
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  const applyQueued = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queued.length === 0) return;
    for (const action of batch(queued)) state = reduce(state, action);
    queued = [];
  };
  const notify = () => {
    for (const listener of listeners) listener();
  };
  return {
    getState: () => state,
    dispatch: (action) => {
      if (isFrequent(action)) {
        queued.push(action);
        timer ??= setTimeout(
          () => {
            applyQueued();
            notify();
          },
          action.type === 'progress' ? intervalMs : logIntervalMs,
        );
        return;
      }
      applyQueued();
      state = reduce(state, action);
      notify();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
