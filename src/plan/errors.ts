import { DrillError } from '../model/errors.js';

/** One problem found in a plan file. `line`/`col` are 1-based; 0 when the problem has no position (unreadable file). */
export interface PlanIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted key path, e.g. "snapshot.requireSignedTag" or "assertions[1].expect.maxCER"; "" when not tied to a key. */
  readonly key: string;
  readonly message: string;
}

/** "drills/x.yaml:12:5: snapshot.requireSignedTag: expected a boolean, got \"yes\"" */
export function formatIssue(issue: PlanIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.col}: ` : '';
  const key = issue.key ? `${issue.key}: ` : '';
  return `${where}${key}${issue.message}`;
}

/**
 * An invalid or unreadable plan. The fields describe the first problem (in document order);
 * `issues` lists all of them and the message has one line per issue.
 */
export class PlanError extends DrillError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly key: string;
  readonly issues: readonly PlanIssue[];

  constructor(issues: readonly PlanIssue[]) {
    if (issues.length === 0) throw new TypeError('PlanError needs at least one issue');
    super(issues.map(formatIssue).join('\n'), { usage: true });
    this.name = 'PlanError';
    const first = issues[0]!;
    this.file = first.file;
    this.line = first.line;
    this.col = first.col;
    this.key = first.key;
    this.issues = issues;
  }
}
