/** Levenshtein distance over code points (not UTF-16 units), in O(n) memory: the CER and the plan's "did you mean". */
export function editDistance(a: string, b: string): number {
  const from = Array.from(a);
  const to = Array.from(b);
  let previous = Array.from({ length: to.length + 1 }, (_, j) => j);
  let current = new Array<number>(to.length + 1).fill(0);
  for (let i = 1; i <= from.length; i++) {
    current[0] = i;
    for (let j = 1; j <= to.length; j++) {
      const substitution = previous[j - 1]! + (from[i - 1] === to[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[to.length]!;
}
