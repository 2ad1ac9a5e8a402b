/**
 * Typed readers over a parsed YAML document that keep source positions, so every problem
 * names file:line:col and the key path. Readers never throw: they record an issue and
 * return undefined, and the caller throws one PlanError with every issue at the end.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type YAMLMap } from 'yaml';
import type { PlanIssue } from './errors.js';

export class Ctx {
  readonly issues: PlanIssue[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  /** Records an issue at `offset` (a source offset) for the key path `key`. */
  addAt(offset: number, key: string, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.issues.push({ file: this.file, line: Math.max(line, 1), col: Math.max(col, 1), key, message });
  }

  add(node: unknown, key: string, message: string): void {
    this.addAt(offsetOf(node), key, message);
  }

  /** Follows aliases (*anchor) to the node they name. */
  deref(node: unknown): unknown {
    return isAlias(node) ? (node.resolve(this.doc) ?? node) : node;
  }
}

function offsetOf(node: unknown): number {
  const range = (node as { range?: readonly number[] } | null)?.range;
  return range?.[0] ?? 0;
}

/** How a value reads in an error message: "yes" (quoted string), 12, null, a list, a mapping. */
export function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
    return String(v);
  }
  if (isAlias(node)) return `an unresolved alias *${node.source}`;
  return 'nothing';
}

export const joinKey = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest known key, if close enough to be a likely typo. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = levenshtein(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

export interface StringRule {
  readonly required?: boolean;
  /** Reject "" (and all-blank strings). */
  readonly nonEmpty?: boolean;
  /** Checked after the type; `what` completes "expected ...". */
  readonly check?: (value: string) => boolean;
  readonly what?: string;
}

export interface NumberRule {
  readonly required?: boolean;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** The value must be greater than min, not equal to it. */
  readonly exclusiveMin?: boolean;
}

export function readString(ctx: Ctx, raw: unknown, key: string, rule: StringRule = {}): string | undefined {
  const node = ctx.deref(raw);
  if (!isScalar(node) || typeof node.value !== 'string') {
    const v = isScalar(node) ? node.value : undefined;
    const quote = typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: "${String(v)}")` : '';
    ctx.add(node, key, `expected ${rule.what ?? 'a string'}, got ${describe(node)}${quote}`);
    return undefined;
  }
  const value = node.value;
  if (rule.nonEmpty && value.trim() === '') {
    ctx.add(node, key, 'must not be empty');
    return undefined;
  }
  if (rule.check && !rule.check(value)) {
    ctx.add(node, key, `expected ${rule.what ?? 'a valid value'}, got ${describe(node)}`);
    return undefined;
  }
  return value;
}

export function readBoolean(ctx: Ctx, raw: unknown, key: string): boolean | undefined {
  const node = ctx.deref(raw);
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  ctx.add(node, key, `expected a boolean, got ${describe(node)}`);
  return undefined;
}

export function readNumber(ctx: Ctx, raw: unknown, key: string, rule: NumberRule = {}): number | undefined {
  const node = ctx.deref(raw);
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    ctx.add(node, key, `expected ${rule.integer ? 'an integer' : 'a number'}, got ${describe(node)}`);
    return undefined;
  }
  const { min, max } = rule;
  const fail = (why: string): undefined => (ctx.add(node, key, `${why}, got ${value}`), undefined);
  if (rule.integer && !Number.isInteger(value)) return fail('expected an integer');
  if (min !== undefined && (rule.exclusiveMin ? value <= min : value < min)) {
    return fail(`must be ${rule.exclusiveMin ? 'greater than' : 'at least'} ${min}`);
  }
  if (max !== undefined && value > max) return fail(`must be at most ${max}`);
  return value;
}

/** A list; items are handed back as nodes with their key path ("ports[0]"). */
export function readList(ctx: Ctx, raw: unknown, key: string): { node: unknown; key: string }[] | undefined {
  const node = ctx.deref(raw);
  if (!isSeq(node)) {
    ctx.add(node, key, `expected a list, got ${describe(node)}`);
    return undefined;
  }
  return node.items.map((item, i) => ({ node: item, key: `${key}[${i}]` }));
}

export function readStrings(ctx: Ctx, raw: unknown, key: string, rule: StringRule = {}): string[] | undefined {
  const items = readList(ctx, raw, key);
  if (!items) return undefined;
  const values = items.map((item) => readString(ctx, item.node, item.key, rule));
  return values.every((v): v is string => v !== undefined) ? values : undefined;
}

/** A mapping from free-form names to strings (e.g. environment variables); `isName` checks each name. */
export function readStringMap(
  ctx: Ctx,
  raw: unknown,
  key: string,
  isName: (name: string) => boolean,
  what: string,
): Record<string, string> | undefined {
  const node = ctx.deref(raw);
  if (!isMap(node)) {
    ctx.add(node, key, `expected a mapping, got ${describe(node)}`);
    return undefined;
  }
  const result: Record<string, string> = {};
  let ok = true;
  for (const pair of node.items) {
    const keyNode = ctx.deref(pair.key);
    const name = isScalar(keyNode) && typeof keyNode.value === 'string' ? keyNode.value : undefined;
    if (name === undefined || !isName(name)) {
      ctx.add(keyNode, key, `expected ${what}, got ${describe(keyNode)}`);
      ok = false;
      continue;
    }
    const value = readString(ctx, pair.value, joinKey(key, name));
    if (value === undefined) ok = false;
    else result[name] = value;
  }
  return ok ? result : undefined;
}

/**
 * A mapping with a fixed set of keys. Unknown keys are reported (with a "did you mean"),
 * and each accessor reads one key with its type rule; absent optional keys give undefined.
 */
export class Section {
  private readonly values = new Map<string, unknown>();

  private constructor(
    readonly ctx: Ctx,
    readonly node: YAMLMap,
    readonly path: string,
  ) {}

  /** Reads `raw` as a mapping whose keys must be among `known`; undefined (with an issue) if it is not a mapping. */
  static of(ctx: Ctx, raw: unknown, path: string, known: readonly string[], alsoSuggest: readonly string[] = []) {
    const node = ctx.deref(raw);
    if (!isMap(node)) {
      ctx.add(node, path, `expected a mapping, got ${describe(node)}`);
      return undefined;
    }
    const section = new Section(ctx, node, path);
    for (const pair of node.items) {
      const keyNode = ctx.deref(pair.key);
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
        ctx.add(keyNode, path, `expected a key name, got ${describe(keyNode)}`);
        continue;
      }
      const name = keyNode.value;
      if (known.includes(name)) {
        section.values.set(name, pair.value);
        continue;
      }
      const hint = suggest(name, [...known, ...alsoSuggest]);
      const why = hint ? `did you mean "${hint}"?` : `expected one of: ${known.join(', ')}`;
      ctx.add(keyNode, joinKey(path, name), `unknown key (${why})`);
    }
    return section;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  key(key: string): string {
    return joinKey(this.path, key);
  }

  /** The value node of `key`; records "missing required key" (at this mapping) when required and absent. */
  raw(key: string, required = false): unknown {
    if (!this.values.has(key) && required) this.missing(key);
    return this.values.get(key);
  }

  missing(key: string, why = 'missing required key'): void {
    this.ctx.add(this.node, this.key(key), why);
  }

  string(key: string, rule: StringRule = {}): string | undefined {
    return this.read(key, rule.required, (raw) => readString(this.ctx, raw, this.key(key), rule));
  }

  boolean(key: string, required = false): boolean | undefined {
    return this.read(key, required, (raw) => readBoolean(this.ctx, raw, this.key(key)));
  }

  number(key: string, rule: NumberRule = {}): number | undefined {
    return this.read(key, rule.required, (raw) => readNumber(this.ctx, raw, this.key(key), rule));
  }

  strings(key: string, rule: StringRule = {}): string[] | undefined {
    return this.read(key, rule.required, (raw) => readStrings(this.ctx, raw, this.key(key), rule));
  }

  list(key: string, required = false): { node: unknown; key: string }[] | undefined {
    return this.read(key, required, (raw) => readList(this.ctx, raw, this.key(key)));
  }

  section(key: string, known: readonly string[], required = false): Section | undefined {
    return this.read(key, required, (raw) => Section.of(this.ctx, raw, this.key(key), known));
  }

  private read<T>(key: string, required: boolean | undefined, reader: (raw: unknown) => T | undefined): T | undefined {
    if (!this.values.has(key)) {
      if (required) this.missing(key);
      return undefined;
    }
    return reader(this.values.get(key));
  }
}
