/** A walk over a JSON Schema's subschemas, for tests that check its shape (ajv checks values against it). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Schema = { [key: string]: Json };

/** Keywords whose value is a schema, a list of schemas or a map of names to schemas. */
const ONE = ['additionalProperties', 'propertyNames', 'items', 'not', 'if', 'then', 'else'];
const MANY = ['anyOf', 'oneOf'];
const NAMED = ['properties', '$defs'];

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every schema object inside `root` (itself included), with where it is. */
export function subschemas(root: Json, at = '$'): [Schema, string][] {
  if (!isObject(root)) return [];
  const s = root as Schema;
  const found: [Schema, string][] = [[s, at]];
  for (const k of ONE) if (k in s) found.push(...subschemas(s[k]!, `${at}.${k}`));
  for (const k of MANY) (s[k] as Json[] | undefined)?.forEach((alt, i) => found.push(...subschemas(alt, `${at}.${k}[${i}]`)));
  for (const k of NAMED) for (const [name, sub] of Object.entries((s[k] ?? {}) as Schema)) found.push(...subschemas(sub, `${at}.${k}.${name}`));
  return found;
}
