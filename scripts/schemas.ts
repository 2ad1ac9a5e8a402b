/**
 * Writes the JSON Schemas that ship in drills/ from their one source each: plan.schema.json from the
 * plan schema (src/plan/schema.ts), events.schema.json from the NDJSON events
 * (src/model/events-schema.ts), audit.schema.json from the audit's lines (src/audit/audit-schema.ts), snapshot.schema.json
 * from the snapshot's lines (src/backup/events.ts). Run `npm run schema` after changing either; tests fail while a
 * shipped file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditJsonSchemaText } from '../src/audit/audit-schema.js';
import { snapshotJsonSchemaText } from '../src/backup/events.js';
import { eventsJsonSchemaText } from '../src/model/events-schema.js';
import { planJsonSchemaText } from '../src/plan/json-schema.js';

for (const [name, text] of [['plan.schema.json', planJsonSchemaText()], ['events.schema.json', eventsJsonSchemaText()], ['audit.schema.json', auditJsonSchemaText()], ['snapshot.schema.json', snapshotJsonSchemaText()]] as const) {
  const file = fileURLToPath(new URL(`../drills/${name}`, import.meta.url));
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
