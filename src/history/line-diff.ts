/**
 * A line diff for the auditor's "what changed": configuration files are small, so the longest
 * common subsequence is computed directly. Changed lines are prefixed "-"/"+", with two lines of
 * context; "…" stands for unchanged lines left out.
 */
const CONTEXT = 2;

type Line = { readonly mark: ' ' | '-' | '+'; readonly text: string };

function lcsTable(a: readonly string[], b: readonly string[]): number[][] {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  return table;
}

function editScript(a: readonly string[], b: readonly string[]): Line[] {
  const table = lcsTable(a, b);
  const lines: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || table[i + 1]![j]! >= table[i]![j + 1]!)) lines.push({ mark: '-', text: a[i++]! });
    else lines.push({ mark: '+', text: b[j++]! });
  }
  return lines;
}

/** "" when the texts are equal. */
export function lineDiff(before: string, after: string): string {
  if (before === after) return '';
  const split = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const lines = editScript(split(before), split(after));
  const near = lines.map((_, index) => lines.slice(Math.max(0, index - CONTEXT), index + CONTEXT + 1).some((line) => line.mark !== ' '));
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (near[index]) out.push(`${line.mark} ${line.text}`);
    else if (near[index - 1] || index === 0) out.push('…');
  });
  return `${out.join('\n')}\n`;
}
