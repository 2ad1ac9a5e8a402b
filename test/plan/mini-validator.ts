/**
 * A small JSON Schema draft 2020-12 validator: the subset of keywords drills/plan.schema.json
 * uses, enough to check that the schema says what the loader does. It refuses any keyword it does
 * not implement (`keywordsIn` lists every keyword of a schema), so a new zod output cannot be
 * silently ignored.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Schema = { [key: string]: Json };

const ANNOTATIONS = new Set(['$schema', '$defs', 'title', 'description', 'default', 'format']);
const ASSERTIONS = new Set([
  '$ref', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'dependentRequired',
  'items', 'minItems', 'uniqueItems', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum',
  'anyOf', 'oneOf', 'not', 'if', 'then', 'else',
]);
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

/** Keywords used anywhere in `root` that this validator does not know. */
export function unknownKeywords(root: Json): string[] {
  const keys = subschemas(root).flatMap(([s]) => Object.keys(s));
  return [...new Set(keys.filter((k) => !ANNOTATIONS.has(k) && !ASSERTIONS.has(k)))];
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'null': return v === null;
    default: return typeof v === type;
  }
}

/** The validation errors of `v` against `s` within the document `root` (empty when valid). */
export function validate(root: Schema, s: Json, v: unknown, at = '$'): string[] {
  if (s === true) return [];
  if (!isObject(s)) throw new Error(`${at}: not a schema`);
  for (const k of Object.keys(s)) {
    if (!ANNOTATIONS.has(k) && !ASSERTIONS.has(k)) throw new Error(`validator does not implement keyword ${k}`);
  }
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${at}: ${why}`);
  const sub = (key: string) => s[key] as Json;
  const valid = (schema: Json) => validate(root, schema, v, at).length === 0;
  if (typeof s.$ref === 'string') {
    const target = s.$ref.replace(/^#\//, '').split('/').reduce<Json>((node, part) => (node as Schema)[part]!, root);
    errors.push(...validate(root, target, v, at));
  }
  if (typeof s.type === 'string' && !typeMatches(s.type, v)) return [...errors, `${at}: expected ${s.type}`];
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) fail(`expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(v as Json)) fail('not in enum');
  if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) fail(`does not match ${s.pattern}`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) fail('below minimum');
    if (typeof s.maximum === 'number' && v > s.maximum) fail('above maximum');
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) fail('not above exclusiveMinimum');
  }
  if (Array.isArray(v)) {
    if ('items' in s) v.forEach((item, i) => errors.push(...validate(root, sub('items'), item, `${at}[${i}]`)));
    if (typeof s.minItems === 'number' && v.length < s.minItems) fail('too few items');
    if (s.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) fail('duplicate items');
  }
  if (isObject(v)) {
    const props = (s.properties ?? {}) as Schema;
    for (const key of (s.required ?? []) as string[]) if (!(key in v)) fail(`missing ${key}`);
    if (typeof s.minProperties === 'number' && Object.keys(v).length < s.minProperties) fail('too few properties');
    for (const [key, deps] of Object.entries((s.dependentRequired ?? {}) as Record<string, string[]>)) {
      if (key in v) for (const d of deps) if (!(d in v)) fail(`${key} needs ${d}`);
    }
    for (const [key, value] of Object.entries(v)) {
      if ('propertyNames' in s) errors.push(...validate(root, sub('propertyNames'), key, `${at}.${key}(name)`));
      if (key in props) errors.push(...validate(root, props[key]!, value, `${at}.${key}`));
      else if ('additionalProperties' in s) {
        if (s.additionalProperties === false) fail(`unknown key ${key}`);
        else errors.push(...validate(root, sub('additionalProperties'), value, `${at}.${key}`));
      }
    }
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some(valid)) fail('matches no alternative');
  if (Array.isArray(s.oneOf) && s.oneOf.filter(valid).length !== 1) fail('does not match exactly one alternative');
  if ('not' in s && valid(sub('not'))) fail('matches a forbidden form');
  if ('if' in s) {
    const branch = valid(sub('if')) ? 'then' : 'else';
    if (branch in s) errors.push(...validate(root, sub(branch), v, at));
  }
  return errors;
}
