/**
 * Keep the newest progress of each step and let it through at most every `intervalMs`. With `late`, a
 * figure held back is passed on when its time comes even if no newer one arrives: a transfer that stalls
 * shows where it stalled, not where it was a moment before.
 */
import type { DrillEvent } from '../model/events.js';
import type { StepId } from '../model/record.js';

type ProgressEvent = Extract<DrillEvent, { type: 'progress' }>;

export function progressThrottle(intervalMs: number, now: () => number = Date.now, late?: (event: ProgressEvent) => void) {
  const last = new Map<StepId, number>();
  const pending = new Map<StepId, ProgressEvent>();
  const timers = new Map<StepId, NodeJS.Timeout>();
  const stopTimer = (step: StepId) => {
    clearTimeout(timers.get(step));
    timers.delete(step);
  };
  return {
    /** The event to show now, or undefined to hold it back. */
    offer(event: ProgressEvent): ProgressEvent | undefined {
      const previous = last.get(event.step) ?? -Infinity;
      const done = event.progress.total !== undefined && event.progress.current >= event.progress.total;
      if (done || now() - previous >= intervalMs) {
        last.set(event.step, now());
        pending.delete(event.step);
        stopTimer(event.step);
        return event;
      }
      pending.set(event.step, event);
      if (late && !timers.has(event.step)) {
        const timer = setTimeout(() => {
          timers.delete(event.step);
          const held = pending.get(event.step);
          if (!held) return;
          pending.delete(event.step);
          last.set(event.step, now());
          late(held);
        }, Math.max(0, previous + intervalMs - now()));
        timer.unref();
        timers.set(event.step, timer);
      }
      return undefined;
    },
    /** The held-back progress of a step (on step-end, so the last figure is not lost). */
    flush(step: StepId): ProgressEvent | undefined {
      const event = pending.get(step);
      pending.delete(step);
      last.delete(step);
      stopTimer(step);
      return event;
    },
  };
}
