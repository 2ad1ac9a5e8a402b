/**
 * zod building blocks for plan values, each with its error function, so the schema reads as the
 * format and every problem keeps the wording of messages.ts. A value gets one problem, the first
 * rule it breaks. No check uses zod's `abort`: an explicit abort anywhere inside a mapping or list
 * would also stop the rules across its values (see `rule`), and all problems are reported at once.
 */
import * as z from 'zod';
import { expectedMessage, isRecord, unknownKeyMessage } from './messages.js';

type Issue = z.core.$ZodRawIssue;

/** A string; `what` completes "expected ..." both for other types and for failed checks. */
export const text = (what = 'a string') => z.string({ error: (iss) => expectedMessage(what, iss.input, true) });

/** A string that is not blank (the pattern tells JSON Schema the same). */
export const nonBlank = () => text().regex(/\S/, { error: 'must not be empty' });

/** A string matching `pattern`, e.g. a plan name. */
export const matching = (what: string, pattern: RegExp) => text(what).regex(pattern);

/** For a second check on a value: run only while the value has no problem yet. */
export const ifNoProblemYet = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

export const flag = () => z.boolean({ error: (iss) => expectedMessage('a boolean', iss.input) });

export interface Bounds {
  readonly integer?: boolean;
  readonly min?: number;
  /** The value must be greater than this, not equal to it. */
  readonly above?: number;
  readonly max?: number;
}

/**
 * A number: "must be at least 0, got -1", "expected an integer, got \"443\"". The bounds are one
 * check that reports the first one broken (zod's int() would abort explicitly, see above); the
 * same bounds become the JSON Schema keywords.
 */
export function count({ integer = false, min, above, max }: Bounds = {}) {
  const broken = (v: number): string | undefined => {
    if (integer && !Number.isInteger(v)) return 'expected an integer';
    if (min !== undefined && v < min) return `must be at least ${min}`;
    if (above !== undefined && v <= above) return `must be greater than ${above}`;
    if (max !== undefined && v > max) return `must be at most ${max}`;
    return undefined;
  };
  return z
    .number({ error: (iss) => expectedMessage(integer ? 'an integer' : 'a number', iss.input) })
    .superRefine((v, ctx) => {
      const why = broken(v);
      if (why) ctx.addIssue({ code: 'custom', message: `${why}, got ${v}`, input: v });
    })
    .meta({ type: integer ? 'integer' : 'number', minimum: min, exclusiveMinimum: above, maximum: max });
}

/** A list; `.min(1)` on it reads "must not be empty". */
export const list = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: (iss: Issue) => (iss.code === 'too_small' ? 'must not be empty' : expectedMessage('a list', iss.input)) });

export interface MappingOptions {
  /** Keys of a sibling form worth suggesting for a typo (a transcription assertion suggests gpuMemoryMiB). */
  readonly alsoSuggest?: readonly string[];
  /** Keys the loader adds (an assertion's kind), not written in plans: left out of "expected one of". */
  readonly hidden?: readonly string[];
}

/**
 * A mapping with a fixed set of keys. zod reports all unknown keys of a mapping as one issue; its
 * message has one line per key, in the order of the issue's `keys`, and the loader reports each
 * line at its own key.
 */
export function mapping<S extends z.core.$ZodLooseShape>(shape: S, { alsoSuggest = [], hidden = [] }: MappingOptions = {}) {
  const known = Object.keys(shape).filter((key) => !hidden.includes(key));
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? iss.keys.map((key) => unknownKeyMessage(key, known, alsoSuggest)).join('\n')
        : expectedMessage('a mapping', iss.input),
  });
}

/** A mapping from free-form names (checked by `pattern`, described by `what`) to strings. */
export const namedStrings = (what: string, pattern: RegExp) =>
  z.record(z.string().regex(pattern), text(), {
    error: (iss) => expectedMessage(iss.code === 'invalid_key' ? what : 'a mapping', iss.input),
  });

/** One of two forms told apart by the value's type; `what` names both for a value of neither. */
export const either = <A extends z.ZodType, B extends z.ZodType>(a: A, b: B, what: string) =>
  z.union([a, b], { error: (iss) => expectedMessage(what, iss.input) });

export type Report = (path: readonly PropertyKey[], message: string) => void;

/**
 * A rule across values (a key required when another is set, no duplicates). zod cannot turn a
 * function into JSON Schema, so `json` states the same rule for editors; the schema/loader
 * agreement test keeps the two in step. The rule runs even when a value inside failed, so every
 * problem is reported at once; `accepts` guards against a value of the wrong type.
 */
export function rule<T extends z.ZodType, V>(
  schema: T,
  json: Record<string, unknown>,
  accepts: (value: unknown) => value is V,
  check: (value: V, report: Report) => void,
): T {
  const refined = schema.superRefine(
    (value, ctx) => {
      if (!accepts(value)) return;
      check(value, (path, message) => ctx.addIssue({ code: 'custom', path: [...path], message, input: value }));
    },
    { when: () => true },
  );
  return refined.meta(json) as T;
}

export const isList = (value: unknown): value is unknown[] => Array.isArray(value);
