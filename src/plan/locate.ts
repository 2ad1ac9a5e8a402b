/**
 * Where a problem is in the YAML source. zod validates the plain value read from the document and
 * reports key paths; each path is looked up again in the document (following aliases) for the
 * line and column of the node it names.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import type { PlanIssue } from './errors.js';
import { describe } from './messages.js';

type Path = readonly PropertyKey[];

/** "assertions[1].expect.maxCER" for ["assertions", 1, "expect", "maxCER"]; "" for the plan itself. */
export const keyPath = (path: Path): string =>
  path.reduce<string>((key, part) => (typeof part === 'number' ? `${key}[${part}]` : key ? `${key}.${String(part)}` : String(part)), '');

/** zod's union issue carries every alternative's issues; this one says the value is of another type. */
const isTypeMismatch = (issue: z.core.$ZodIssue): boolean =>
  issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');

const offsetOf = (node: unknown): number => (node as { range?: readonly number[] } | null)?.range?.[0] ?? 0;

export class Locator {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  /** An issue at a source offset. */
  at(offset: number, key: string, message: string): PlanIssue {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line: Math.max(line, 1), col: Math.max(col, 1), key, message };
  }

  /**
   * Plan issues for one zod issue: one per key for unknown keys (the mapping's error function
   * wrote one message line per key), and for a union the problems of the alternative that fits.
   */
  fromZod(issue: z.core.$ZodIssue, prefix: Path = []): PlanIssue[] {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const lines = issue.message.split('\n');
        return issue.keys.map((key, i) => this.atKey([...path, key], keyPath([...path, key]), lines[i] ?? issue.message));
      }
      case 'invalid_key':
        // A bad name in a free-form mapping (service.env): at the name, reported for the mapping.
        return [this.atKey(path, keyPath(path.slice(0, -1)), issue.message)];
      case 'invalid_union': {
        // Install is a list or a mapping: for a list with a bad item, the list's problems are the
        // ones to report. When no alternative fits the value's type, the union's own message.
        const fitting = issue.errors.filter((issues) => issues.length > 0 && !issues.some(isTypeMismatch));
        if (fitting.length === 1) return fitting[0]!.flatMap((inner) => this.fromZod(inner, path));
        return [this.atNode(path, keyPath(path), issue.message)];
      }
      default:
        return [this.atNode(path, keyPath(path), issue.message)];
    }
  }

  /**
   * Keys must be names. A number, list or mapping used as a key is reported here and its entry
   * dropped from the document, so zod sees string keys only and does not report it again.
   */
  dropKeysThatAreNotNames(): PlanIssue[] {
    const issues: PlanIssue[] = [];
    const walk = (node: unknown, path: Path): void => {
      if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
      if (!isMap(node)) return;
      node.items = node.items.filter((pair) => {
        const key = this.deref(pair.key);
        if (isScalar(key) && typeof key.value === 'string') {
          walk(pair.value, [...path, key.value]);
          return true;
        }
        const value = isScalar(key) ? key.value : isMap(key) ? {} : isSeq(key) ? [] : undefined;
        issues.push(this.at(offsetOf(key), keyPath(path), `expected a key name, got ${describe(value)}`));
        return false;
      });
    };
    walk(this.doc.contents, []);
    return issues;
  }

  /** At the node the path names, or the nearest enclosing one (a missing key: its mapping). */
  private atNode(path: Path, key: string, message: string): PlanIssue {
    return this.at(offsetOf(this.find(path).node), key, message);
  }

  /** At the key the path ends with (an unknown key), or the nearest enclosing node. */
  private atKey(path: Path, key: string, message: string): PlanIssue {
    const found = this.find(path);
    return this.at(offsetOf(found.key ?? found.node), key, message);
  }

  private find(path: Path): { node: unknown; key?: unknown } {
    let node = this.deref(this.doc.contents);
    let key: unknown;
    for (const part of path) {
      const pair = isMap(node) ? node.items.find((p) => (this.deref(p.key) as { value?: unknown } | null)?.value === part) : undefined;
      const next = pair ? (pair.value ?? pair.key) : isSeq(node) && typeof part === 'number' ? node.items[part] : undefined;
      if (next === undefined || next === null) return { node };
      [node, key] = [this.deref(next), pair?.key];
    }
    return { node, key };
  }

  /** Follows an alias (*anchor) to the node it names. */
  private deref(node: unknown): unknown {
    return isAlias(node) ? (node.resolve(this.doc) ?? node) : node;
  }
}
