/**
 * Writes the JSON Schemas that ship in drills/ from their one source each: plan.schema.json from the
 * plan schema (src/core/plan/schema.ts), events.schema.json from the NDJSON events
 * (src/core/events-schema.ts). Run `npm run schema` after changing either; tests fail while a
 * shipped file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventsJsonSchemaText } from '../src/core/events-schema.js';
import { planJsonSchemaText } from '../src/core/plan/json-schema.js';

for (const [name, text] of [['plan.schema.json', planJsonSchemaText()], ['events.schema.json', eventsJsonSchemaText()]] as const) {
  const file = fileURLToPath(new URL(`../drills/${name}`, import.meta.url));
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
