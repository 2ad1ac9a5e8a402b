/** --json: one event per line on stdout, for machines. Progress is thinned to ~4 lines a second per step. */
import type { DrillEvent } from '../core/events.js';
import { progressThrottle } from './throttle.js';

export function ndjsonReporter(write: (line: string) => void = (line) => process.stdout.write(line)) {
  const throttle = progressThrottle(250);
  const out = (event: DrillEvent) => write(`${JSON.stringify(event)}\n`);
  return (event: DrillEvent): void => {
    if (event.type === 'progress') {
      const shown = throttle.offer(event);
      if (shown) out(shown);
      return;
    }
    if (event.type === 'step-end') {
      const held = throttle.flush(event.step);
      if (held) out(held);
    }
    out(event);
  };
}
