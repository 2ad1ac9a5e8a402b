/** drills/events.schema.json is what the events' one source generates, and it accepts what the engine emits. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsJsonSchemaText, ndjsonLineSchema } from '../src/model/events-schema.js';
import { EVENTS_SCHEMA_VERSION } from '../src/model/events.js';

const shipped = readFileSync(path.resolve(import.meta.dirname, '..', 'drills', 'events.schema.json'), 'utf8');

describe('the NDJSON events schema', () => {
  it('ships as generated', () => {
    expect(shipped, 'drills/events.schema.json is stale: regenerate it with `npm run schema` and commit it').toBe(eventsJsonSchemaText());
  });

  it('describes every event type, each with the schema version', () => {
    const schema = JSON.parse(shipped) as { oneOf: Array<{ properties: { type: { const: string }; schemaVersion: { const: number } }; additionalProperties: boolean }> };
    expect(schema.oneOf.map((e) => e.properties.type.const)).toEqual([
      'drill-start', 'step-start', 'progress', 'log', 'check', 'tags', 'lfs-file', 'assertion', 'drift',
      'snapshot', 'facts', 'config-files', 'service-log', 'left-running', 'rto', 'resumed', 'notice', 'connections', 'outside-input', 'provenance', 'isolation', 'step-end', 'sign-off', 'changes', 'verdict', 'drill-end',
    ]);
    for (const event of schema.oneOf) {
      expect(event.properties.schemaVersion.const).toBe(EVENTS_SCHEMA_VERSION);
      expect(event.additionalProperties).toBe(false);
    }
  });

  it('refuses an event with a field it does not describe, or without the version', () => {
    const line = { schemaVersion: EVENTS_SCHEMA_VERSION, type: 'log', step: 'install', stream: 'stdout', line: 'x' };
    expect(ndjsonLineSchema.safeParse(line).success).toBe(true);
    expect(ndjsonLineSchema.safeParse({ ...line, pointers: [] }).success).toBe(false);
    const { schemaVersion: _dropped, ...unversioned } = line;
    expect(ndjsonLineSchema.safeParse(unversioned).success).toBe(false);
  });
});
