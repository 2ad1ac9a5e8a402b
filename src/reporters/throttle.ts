/** Keep the newest progress of each step and let it through at most every `intervalMs`. */
import type { DrillEvent } from '../model/events.js';
import type { StepId } from '../model/record.js';

type ProgressEvent = Extract<DrillEvent, { type: 'progress' }>;

export function progressThrottle(intervalMs: number, now: () => number = Date.now) {
  const last = new Map<StepId, number>();
  const pending = new Map<StepId, ProgressEvent>();
  return {
    /** The event to show now, or undefined to hold it back. */
    offer(event: ProgressEvent): ProgressEvent | undefined {
      const previous = last.get(event.step) ?? -Infinity;
      const done = event.progress.total !== undefined && event.progress.current >= event.progress.total;
      if (done || now() - previous >= intervalMs) {
        last.set(event.step, now());
        pending.delete(event.step);
        return event;
      }
      pending.set(event.step, event);
      return undefined;
    },
    /** The held-back progress of a step (on step-end, so the last figure is not lost). */
    flush(step: StepId): ProgressEvent | undefined {
      const event = pending.get(step);
      pending.delete(step);
      last.delete(step);
      return event;
    },
  };
}
