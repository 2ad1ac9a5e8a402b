/** One symbol and colour per status, used by every screen. */
export const MARKS: Readonly<Record<string, { symbol: string; color: string }>> = {
  passed: { symbol: '✔', color: 'green' },
  warned: { symbol: '⚠', color: 'yellow' },
  failed: { symbol: '✖', color: 'red' },
  skipped: { symbol: '–', color: 'gray' },
  inconclusive: { symbol: '?', color: 'magenta' },
  pending: { symbol: '·', color: 'gray' },
  running: { symbol: '▸', color: 'cyan' },
  aborted: { symbol: '✖', color: 'red' },
};

export function mark(status: string): { symbol: string; color: string } {
  return MARKS[status] ?? { symbol: ' ', color: 'white' };
}
