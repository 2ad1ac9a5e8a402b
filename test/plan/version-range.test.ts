/**
 * One version-range grammar: the plan loader validates ranges with the probes' parser, and the
 * plan's JSON Schema spells the same grammar as VERSION_RANGE_PATTERN. They must agree.
 */
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/load.js';
import { isValidRange, parseRange, VERSION_RANGE_PATTERN } from '../../src/model/version-range.js';

const pattern = new RegExp(VERSION_RANGE_PATTERN, 'u'); // as JSON Schema validators read it

const RANGES: [string, boolean][] = [
  ['>=3.9', true], ['<=3', true], ['>2', true], ['<2.1.0', true], ['==2.1', true], ['=2.1', true], ['!=2.2', true],
  ['12.1', true], ['>=2.1,<3', true], [' >= 2.1 , != 2.2 ,=2 ', true], ['>=2.1,\t<3\u00a0', true],
  ['', false], [' ', false], ['~3.9', false], ['^3.9', false], ['>=', false], ['=>3', false], ['===3', false],
  ['>=2.1,', false], [',>=2.1', false], ['>=2.1,,<3', false], ['3.x', false], ['3.', false], ['v3', false], ['>= 2 1', false],
];

describe('version range grammar', () => {
  it.each(RANGES)('%j: parser and JSON Schema pattern agree (valid: %s)', (range, valid) => {
    expect(isValidRange(range)).toBe(valid);
    expect(pattern.test(range)).toBe(valid);
  });

  it('reads every operator the plan accepts', () => {
    expect(parseRange(' >= 2.1 , != 2.2 ,=2,12').map((c) => c.op)).toEqual(['>=', '!=', '==', '==']);
  });

  it('the loader accepts exactly the ranges the parser accepts', () => {
    const base = 'name: t\nsnapshot: { repo: r }\nservice: { start: s, url: "http://h" }\n';
    for (const [range, valid] of RANGES) {
      const load = () => parsePlan(`${base}environment: { python: { version: ${JSON.stringify(range)} } }\n`, 'x.yaml');
      if (valid) expect(load, range).not.toThrow();
      else expect(load, range).toThrow(/environment\.python\.version: expected a version range/);
    }
  });
});
