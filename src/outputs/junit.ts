/** junit.xml: one test case per step and per assertion, so CI dashboards show drills like test runs. */
import type { DrillRecord } from '../model/record.js';
import type { Output } from './output.js';

type Report = DrillRecord;

function xml(text: string): string {
  return text
    // Control characters (e.g. the ESC of coloured tool output) are not allowed in XML 1.0, not even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function renderJunit(report: Report): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const step of report.steps) {
    const body =
      step.status === 'failed'
        ? (failures++, `<failure message="${xml(step.summary)}">${xml(step.error?.hint ?? '')}</failure>`)
        : step.status === 'skipped'
          ? (skipped++, `<skipped message="${xml(step.summary)}"/>`)
          : `<system-out>${xml(step.summary)}</system-out>`;
    cases.push(`    <testcase classname="${xml(report.plan.name)}.steps" name="${step.id}" time="${(step.durationMs / 1000).toFixed(3)}">${body}</testcase>`);
  }
  for (const a of report.assertions) {
    const body = a.inconclusive
      ? (skipped++, `<skipped message="${xml(a.detail)}"/>`)
      : a.passed
        ? `<system-out>${xml(a.actual)}</system-out>`
        : (failures++, `<failure message="${xml(a.detail)}">expected: ${xml(a.expected)}\nactual: ${xml(a.actual)}</failure>`);
    cases.push(`    <testcase classname="${xml(report.plan.name)}.assertions" name="${xml(a.name)}" time="${((a.latencyMs ?? 0) / 1000).toFixed(3)}">${body}</testcase>`);
  }
  const total = cases.length;
  const seconds = ((report.rto.totalMs ?? 0) / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="whisper-drill" tests="${total}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="${xml(`${report.plan.name} ${report.snapshot.tag ?? ''}`.trim())}" tests="${total}" failures="${failures}" skipped="${skipped}" time="${seconds}" timestamp="${report.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const junitOutput: Output = { file: 'junit.xml', render: renderJunit };
