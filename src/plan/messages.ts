/**
 * The wording of plan problems. The schema's error functions (fields.ts) build every message
 * from these, so a plan error reads the same whichever rule found it.
 */
import { editDistance } from '../model/edit-distance.js';

export const MISSING = 'missing required key';

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a value reads in a message: "yes" (quoted string), 12, null, a list, a mapping, nothing. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'nothing';
  return String(value);
}

/**
 * "expected <what>, got <value>", or "missing required key" when there is no value. With `quote`,
 * a number or boolean where text is wanted gets a hint, since YAML read `2.1` or `yes` as one.
 */
export function expectedMessage(what: string, value: unknown, quote = false): string {
  if (value === undefined) return MISSING;
  const hint = quote && (typeof value === 'number' || typeof value === 'boolean') ? ` (quote it: "${String(value)}")` : '';
  return `expected ${what}, got ${describe(value)}${hint}`;
}

/** The closest known key, if close enough to be a likely typo. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/**
 * "unknown key (did you mean ...?)" for one key of a mapping that accepts `known`; `alsoSuggest`
 * are keys of a sibling form worth suggesting (a transcription assertion suggests gpuMemoryMiB).
 */
export function unknownKeyMessage(key: string, known: readonly string[], alsoSuggest: readonly string[] = []): string {
  const hint = suggest(key, [...known, ...alsoSuggest]);
  return `unknown key (${hint ? `did you mean "${hint}"?` : `expected one of: ${known.join(', ')}`})`;
}
