/**
 * Dotted numeric version ranges as plans write them: ">=3.9", ">=2.1,<3", "12.1" (equal).
 * Missing components count as 0; suffixes such as "+cu121" or "-0+deb12u1" are ignored.
 * This is the one range grammar: the plan loader validates with isValidRange, and the plan's
 * JSON Schema uses VERSION_RANGE_PATTERN, built from the same pieces as parseRange.
 */

type Operator = '>=' | '<=' | '>' | '<' | '==' | '!=';

export interface Comparator {
  readonly op: Operator;
  readonly version: readonly number[];
}

/** Leading dotted number of a version string ("v2.1.0+cu121" → [2, 1, 0]); undefined when there is none. */
export function parseVersion(version: string): number[] | undefined {
  const match = /^\s*[vn]?(\d+(?:\.\d+)*)/i.exec(version);
  return match?.[1]?.split('.').map(Number);
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

// Operators and numbers of the grammar, as regular-expression source.
const OPERATOR = '>=|<=|==|!=|=|>|<';
const NUMBER = '\\d+(?:\\.\\d+)*';
const PART = new RegExp(`^(${OPERATOR})?\\s*(${NUMBER})$`);

/**
 * A whole range as one pattern, for JSON Schema (which cannot call parseRange): comma-separated
 * parts, blanks allowed around each (parseRange trims them; `\s` and trim() skip the same characters).
 */
export const VERSION_RANGE_PATTERN = `^\\s*(?:${OPERATOR})?\\s*${NUMBER}\\s*(?:,\\s*(?:${OPERATOR})?\\s*${NUMBER}\\s*)*$`;

/** Parse a range; throws with the offending part when it is not one. */
export function parseRange(range: string): Comparator[] {
  const parts = range.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) throw new Error(`invalid version range "${range}"`);
  return parts.map((part) => {
    const match = PART.exec(part);
    if (!match?.[2]) throw new Error(`invalid version range "${range}": cannot read "${part}"`);
    const op = (match[1] === undefined || match[1] === '=' ? '==' : match[1]) as Operator;
    return { op, version: match[2].split('.').map(Number) };
  });
}

export function isValidRange(range: string): boolean {
  try {
    parseRange(range);
    return true;
  } catch {
    return false;
  }
}

/** Whether `version` is within `range`; false when the version has no leading number. Throws on an invalid range. */
export function satisfies(version: string, range: string): boolean {
  const comparators = parseRange(range);
  const actual = parseVersion(version);
  if (!actual) return false;
  return comparators.every(({ op, version: wanted }) => {
    const c = compareVersions(actual, wanted);
    switch (op) {
      case '>=': return c >= 0;
      case '<=': return c <= 0;
      case '>': return c > 0;
      case '<': return c < 0;
      case '==': return c === 0;
      case '!=': return c !== 0;
    }
  });
}
