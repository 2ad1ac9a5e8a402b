/**
 * Plan errors the zod schema produces and the loader positions, beyond test/plan-load.test.ts:
 * unions, free-form mappings, keys that are not names, the assertion kind, aliases, and rules
 * that must still report when other values around them are wrong.
 */
import { describe, expect, it } from 'vitest';
import { parsePlan, PlanError } from '../../src/plan/load.js';

const BASE = 'name: t\nsnapshot:\n  repo: https://example.invalid/r.git\nservice:\n  start: ./run\n  url: http://127.0.0.1:8000';

/** "line:col key: message" for each issue of a rejected plan. */
function problems(text: string): string[] {
  try {
    parsePlan(text, 'x.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return (err as PlanError).issues.map((i) => `${i.line}:${i.col} ${i.key}: ${i.message}`);
  }
  throw new Error('expected the plan to be rejected');
}

describe('plan errors', () => {
  it('reports each unknown key of a mapping at the key itself', () => {
    expect(problems(`${BASE}\nenvironment:\n  pythn: {}\n  zzzzzz: 1\n`)).toEqual([
      '8:3 environment.pythn: unknown key (did you mean "python"?)',
      '9:3 environment.zzzzzz: unknown key (expected one of: python, nvidia, torch, ffmpeg, disk, ports, drift)',
    ]);
  });

  it('policy: an age in hours, days or weeks', () => {
    expect(problems(`${BASE}\npolicy: { every: 3 months }\n`)).toEqual(['7:18 policy.every: expected an age such as "90d", "13w" or "36h", got "3 months"']);
    expect(parsePlan(`${BASE}\npolicy: { every: 13w }\n`, 'x.yaml').policy).toEqual({ every: '13w' });
  });

  it('install: the problems of the form that fits, or both forms named', () => {
    expect(problems(`${BASE}\ninstall: [make, 5, " "]\n`)).toEqual([
      '7:17 install[1]: expected a string, got 5 (quote it: "5")',
      '7:20 install[2]: must not be empty',
    ]);
    expect(problems(`${BASE}\ninstall: { commands: make, timeoutSec: 0 }\n`)).toEqual([
      '7:22 install.commands: expected a list, got "make"',
      '7:40 install.timeoutSec: must be greater than 0, got 0',
    ]);
    expect(problems(`${BASE}\ninstall: 5\n`)).toEqual([
      '7:10 install: expected a list of commands or a mapping with commands and timeoutSec, got 5',
    ]);
  });

  it('disk: a number of GiB or "auto"', () => {
    expect(problems(`${BASE}\nenvironment: { disk: { minFreeGiB: big } }\n`)).toEqual([
      '7:36 environment.disk.minFreeGiB: expected a number of GiB or "auto", got "big"',
    ]);
    expect(problems(`${BASE}\nenvironment: { disk: { minFreeGiB: -1 } }\n`)).toEqual(['7:36 environment.disk.minFreeGiB: must be at least 0, got -1']);
    expect(problems(`${BASE}\nenvironment: { disk: {} }\n`)).toEqual(['7:22 environment.disk.minFreeGiB: missing required key']);
  });

  it('service.env: a bad name at the name, for the mapping; keys that are not names', () => {
    expect(problems(`${BASE}\n  env: { 1A: x, OK: 2 }\n`)).toEqual([
      '7:10 service.env: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got "1A"',
      '7:21 service.env.OK: expected a string, got 2 (quote it: "2")',
    ]);
    expect(problems(`${BASE}\n? [a]\n: 1\n7: x\n`)).toEqual(['7:3 : expected a key name, got a list', '9:1 : expected a key name, got 7']);
  });

  it('assertions: not a mapping, and a kind written in the plan', () => {
    expect(problems(`${BASE}\nassertions: [a, null]\n`)).toEqual([
      '7:14 assertions[0]: expected a mapping, got "a"',
      '7:17 assertions[1]: expected a mapping, got null',
    ]);
    expect(problems(`${BASE}\nassertions:\n  - { name: g, kind: gpu-memory, gpuMemoryMiB: { max: 1 } }\n`)).toEqual([
      '8:16 assertions[0].kind: unknown key (expected one of: name, gpuMemoryMiB, required)',
    ]);
  });

  it('rules across values still report when values next to them are wrong', () => {
    expect(problems(`${BASE}\nenvironment: { ports: [80, 1.5, 80, 70000] }\n`)).toEqual([
      '7:28 environment.ports[1]: expected an integer, got 1.5',
      '7:33 environment.ports[2]: duplicate port 80',
      '7:37 environment.ports[3]: must be at most 65535, got 70000',
    ]);
    const text = `${BASE}\nassertions:\n  - { name: a, api: command, audio: "", expect: { contains: x } }\n  - { name: a, api: gradio, audio: x, expect: { contains: 1 } }\n`;
    expect(problems(text)).toEqual([
      '8:5 assertions[0].command: required when api is command',
      '8:37 assertions[0].audio: must not be empty',
      '9:13 assertions[1].name: duplicate assertion name (also assertions[0])',
      '9:59 assertions[1].expect.contains: expected a string, got 1 (quote it: "1")',
    ]);
    expect(problems('name: t\nsnapshot: { repo: "", requireSignedTag: true }\nservice: { start: s, url: "http://h" }\n')).toEqual([
      '2:11 snapshot.allowedSigners: required when requireSignedTag is true',
      '2:19 snapshot.repo: must not be empty',
    ]);
  });

  it('reports a value reached through an alias where the anchored value is written', () => {
    expect(problems('name: t\nsnapshot: { repo: r, tags: &n 5 }\nservice: { start: s, url: *n }\n')).toEqual([
      '2:31 snapshot.tags: expected a string, got 5 (quote it: "5")',
      '2:31 service.url: expected an http(s) URL such as "http://127.0.0.1:7860", got 5 (quote it: "5")',
    ]);
  });

  it('a plan that is not a mapping', () => {
    expect(problems('just text\n')).toEqual(['1:1 : expected a mapping, got "just text"']);
  });
});
