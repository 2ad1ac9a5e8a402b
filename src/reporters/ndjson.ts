/** --json: one event per line on stdout, for machines. Progress is thinned to ~4 lines a second per step. */
import { EVENTS_SCHEMA_VERSION, type DrillEvent } from '../model/events.js';
import { progressThrottle } from './throttle.js';

export function ndjsonReporter(write: (line: string) => void = (line) => process.stdout.write(line)) {
  // The stream is a public interface: every line names the version of its schema (drills/events.schema.json).
  const out = (event: DrillEvent) => write(`${JSON.stringify({ schemaVersion: EVENTS_SCHEMA_VERSION, ...event })}\n`);
  const throttle = progressThrottle(250, Date.now, out);
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
