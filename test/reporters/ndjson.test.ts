/** The NDJSON reporter: one event a line, each with the schema version, progress thinned but never lost at a step's end. */
import { describe, expect, it, vi } from 'vitest';
import { EVENTS_SCHEMA_VERSION, type DrillEvent } from '../../src/model/events.js';
import { ndjsonReporter } from '../../src/reporters/ndjson.js';

function render(events: readonly DrillEvent[]): Array<Record<string, unknown>> {
  const out: string[] = [];
  const emit = ndjsonReporter((line) => out.push(line));
  for (const event of events) emit(event);
  for (const line of out) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
  return out.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the NDJSON reporter', () => {
  it('writes every event as one line carrying the schema version, assertions and checks as they are', () => {
    const outcome = { status: 'passed' as const, name: 'mandarin', api: 'gradio', expected: '欢迎', actual: '欢迎', cer: 0, passed: true, required: true, latencyMs: 5, detail: 'ok' };
    const check = { id: 'git', title: 'git', status: 'passed' as const, measured: 'git 2.39.5' };
    const lines = render([
      { type: 'check', step: 'environment', check },
      { type: 'assertion', outcome },
    ]);
    expect(lines).toEqual([
      { schemaVersion: EVENTS_SCHEMA_VERSION, type: 'check', step: 'environment', check },
      { schemaVersion: EVENTS_SCHEMA_VERSION, type: 'assertion', outcome },
    ]);
  });

  it('thins progress, and writes the last figure held back before the step ends', () => {
    const progress = (current: number): DrillEvent => ({ type: 'progress', step: 'fetch', progress: { current, total: 100, unit: 'bytes' } });
    const lines = render([progress(1), progress(2), progress(3), { type: 'step-end', at: 'x', step: 'fetch', status: 'passed', durationMs: 1, summary: 's' }]);
    expect(lines.map((l) => (l['type'] === 'progress' ? (l['progress'] as { current: number }).current : l['type']))).toEqual([1, 3, 'step-end']);
  });
  it('writes a figure held back once its time has come, with no newer one: a stalled transfer shows where it stalled', () => {
    vi.useFakeTimers();
    try {
      const out: string[] = [];
      const emit = ndjsonReporter((line) => out.push(line));
      const progress = (current: number): DrillEvent => ({ type: 'progress', step: 'fetch', progress: { current, total: 100, unit: 'bytes' } });
      emit(progress(1));
      emit(progress(40));
      expect(out).toHaveLength(1);
      vi.advanceTimersByTime(249);
      expect(out).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(out.map((line) => (JSON.parse(line) as { progress: { current: number } }).progress.current)).toEqual([1, 40]);
      // Nothing held, nothing more written.
      vi.advanceTimersByTime(1_000);
      expect(out).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
