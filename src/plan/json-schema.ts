/**
 * drills/plan.schema.json, generated from the plan schema (`npm run schema` writes it; a test
 * fails when the shipped file differs). It describes the plan as written, so defaults are optional.
 */
import * as z from 'zod';
import { ASSERTION_DEFS } from './schema-assertions.js';
import { PlanInput } from './schema.js';

type JsonObject = Record<string, unknown>;

export function planJsonSchema(): JsonObject {
  const { $schema, title, description, ...rest } = z.toJSONSchema(PlanInput, { target: 'draft-2020-12', io: 'input' });
  const schema: JsonObject = { $schema, title, description, ...rest }; // what it is, before the details
  // Each assertion kind has a `kind` the loader adds to tell them apart; a plan does not write it.
  const defs = schema.$defs as Record<string, { properties: JsonObject; required: string[] }>;
  for (const id of ASSERTION_DEFS) {
    delete defs[id]!.properties.kind;
    defs[id]!.required = defs[id]!.required.filter((key) => key !== 'kind');
  }
  return schema;
}

/** The file's text: two-space JSON and a final newline. */
export const planJsonSchemaText = (): string => `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
