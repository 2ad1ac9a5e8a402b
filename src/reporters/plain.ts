/**
 * Headless progress for cron logs and CI: plain lines on stderr, no escape codes, no cursor tricks.
 * Progress appears at most every few seconds per step; tool output is shown for install and start.
 */
import { stripVTControlCharacters } from 'node:util';
import type { CheckResult, DrillEvent } from '../core/events.js';
import { describeProgress, formatDuration } from '../core/format.js';
import { progressThrottle } from './throttle.js';

const STATUS_MARK: Readonly<Record<string, string>> = {
  passed: 'ok  ',
  warned: 'warn',
  failed: 'FAIL',
  skipped: 'skip',
  inconclusive: '????',
};

/**
 * Text fit for a log file: tools' escape sequences (colours, cursor moves) and other control characters
 * removed, tabs and newlines kept. Tool output reaches these lines verbatim (install and start logs,
 * failure messages, measured values).
 */
export function plainText(text: string): string {
  return stripVTControlCharacters(text).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}


export function describeCheck(check: CheckResult): string {
  const required = check.required ? ` (needs ${check.required})` : '';
  const fix = check.fix && check.status !== 'passed' ? `\n           fix: ${check.fix}` : '';
  return `[${STATUS_MARK[check.status]}] ${check.title}: ${check.measured}${required}${fix}`;
}

export function plainReporter(write: (text: string) => void = (text) => process.stderr.write(text)) {
  const throttle = progressThrottle(2_000);
  const line = (text: string) => write(`${plainText(text)}\n`);
  return (event: DrillEvent): void => {
    switch (event.type) {
      case 'drill-start':
        line(`whisper-drill ${event.mode}: plan ${event.plan} (${event.planFile})`);
        break;
      case 'step-start':
        line(`-> ${event.step}: ${event.title}`);
        break;
      case 'check':
        line(`   ${describeCheck(event.check)}`);
        break;
      case 'tags':
        line(`   ${event.tags.length} snapshot tag(s): ${event.tags.map((t) => t.name).join(', ')}`);
        break;
      case 'progress': {
        const shown = throttle.offer(event);
        if (shown) line(`   ${event.step}: ${describeProgress(shown.progress)}`);
        break;
      }
      case 'log':
        if (event.stream === 'info' || event.step === 'install' || event.step === 'start') line(`   ${event.stream === 'info' ? '' : '| '}${event.line}`);
        break;
      case 'assertion':
        break;
      case 'step-end': {
        throttle.flush(event.step);
        line(`[${STATUS_MARK[event.status]}] ${event.step} (${formatDuration(event.durationMs)}): ${event.summary}`);
        if (event.error?.hint) line(`       hint: ${event.error.hint}`);
        break;
      }
      case 'drill-end':
        line(`${event.verdict.toUpperCase()} in ${formatDuration(event.durationMs)}: ${event.summary}`);
        if (event.reportDir) line(`report: ${event.reportDir}/report.md`);
        break;
    }
  };
}
