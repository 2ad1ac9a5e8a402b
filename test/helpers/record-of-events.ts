/** A step's events folded as the engine folds them, with the drill-start a step test has no engine to send. */
import os from 'node:os';
import { RecordFold } from '../../src/core/record.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord } from '../../src/model/record.js';

export function recordOf(events: readonly DrillEvent[]): DrillRecord {
  const fold = new RecordFold();
  fold.add({
    type: 'drill-start',
    at: new Date(0).toISOString(),
    plan: 'test',
    planFile: 'test.yaml',
    planSha256: '',
    mode: 'drill',
    workdir: os.tmpdir(),
    tool: { name: 'whisper-drill', version: 'test' },
    host: { hostname: 'test', platform: 'linux', release: '', arch: 'x64', cpus: 1, memoryBytes: 0, node: process.version },
    steps: [],
  });
  for (const event of events) fold.add(event);
  return fold.record();
}
