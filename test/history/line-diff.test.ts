import { describe, expect, it } from 'vitest';
import { lineDiff } from '../../src/history/line-diff.js';

describe('lineDiff', () => {
  it('marks removed and added lines, with two lines of context and … for what is left out', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i'].join('\n');
    expect(lineDiff(before, after)).toBe(['…', '  c', '  d', '- e', '+ E', '  f', '  g', '  h', '+ i', ''].join('\n'));
  });

  it('is empty for equal texts, and all additions from nothing', () => {
    expect(lineDiff('x\n', 'x\n')).toBe('');
    expect(lineDiff('', 'x\ny\n')).toBe('+ x\n+ y\n');
  });
});
