/**
 * The core sets every fact's status; the faces render it. One record, its assertions in each status,
 * through the three faces an operator or auditor reads: the plain lines, the wizard, report.md — each
 * shows the same status (its symbol or tag from the one table), and none decides one of its own.
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { assertionStatus, type AssertionOutcome, type AssertionResult } from '../../src/model/record.js';
import { statusLook } from '../../src/faces/status.js';
import { renderMarkdown } from '../../src/outputs/markdown.js';
import { describeAssertion } from '../../src/reporters/plain.js';
import { AssertionList } from '../../src/ui/components/AssertionList.js';
import { quarterlyDrills, recordOf } from '../helpers/reports.js';

const base = { api: 'gradio', expected: '欢迎', actual: '', cer: null, latencyMs: 12, detail: 'said so' } as const;
const results: AssertionResult[] = [
  { ...base, name: 'required-and-passed', actual: '欢迎', cer: 0, passed: true, required: true },
  { ...base, name: 'required-and-failed', passed: false, required: true },
  { ...base, name: 'optional-and-failed', passed: false, required: false },
  { ...base, name: 'could-not-run', passed: false, inconclusive: true, required: true, latencyMs: null },
];
const assertions: AssertionOutcome[] = results.map((result) => ({ status: assertionStatus(result), ...result }));

describe('one status per fact, in every face', () => {
  it('the core gives a failed optional assertion `warned`, one that could not run `inconclusive`', () => {
    expect(assertions.map((a) => [a.name, a.status])).toEqual([
      ['required-and-passed', 'passed'],
      ['required-and-failed', 'failed'],
      ['optional-and-failed', 'warned'],
      ['could-not-run', 'inconclusive'],
    ]);
  });

  it('plain text, the wizard and report.md show that status for each assertion', () => {
    const wizard = render(<AssertionList assertions={assertions} />);
    const screen = wizard.lastFrame() ?? '';
    wizard.unmount();
    const [past] = quarterlyDrills('gpu-a', [60_000], new Date('2026-12-01T00:00:00Z'));
    const markdown = renderMarkdown(recordOf(past!, assertions));
    for (const outcome of assertions) {
      const look = statusLook(outcome.status);
      expect(describeAssertion(outcome), `plain: ${outcome.name}`).toMatch(new RegExp(`^\\[${look.tag.replace(/\?/g, '\\?')}\\] ${outcome.name}:`));
      expect(screen, `wizard: ${outcome.name}`).toContain(`${look.symbol} ${outcome.name}`);
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${outcome.name} |`));
      expect(row, `report.md: ${outcome.name}`).toContain(look.symbol);
      if (outcome.status !== 'inconclusive') expect(row).toContain(`${look.symbol} ${outcome.status}`);
    }
  });
});
