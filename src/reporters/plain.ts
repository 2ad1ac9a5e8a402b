/**
 * Headless progress for cron logs and CI: plain lines on stderr, no escape codes, no cursor tricks.
 * Progress appears at most every few seconds per step; tool output is shown for install and start.
 */
import { stripVTControlCharacters } from 'node:util';
import { describeProgress, formatBytes, formatDuration } from '../model/format.js';
import { describeDrift, describeDriftItem } from '../model/drift-text.js';
import { describeElsewhere, describeIsolation, describeOutsideInput, describeProvenanceFile } from '../model/provenance-text.js';
import type { AssertionOutcome, CheckResult, DriftReport, LfsFileRecord } from '../model/record.js';
import type { DrillEvent } from '../model/events.js';
import { driftStatus, statusLook, verdictHeadline } from '../faces/status.js';
import { progressThrottle } from './throttle.js';
import { tagLabel } from '../model/tag-text.js';

/** Tags listed one a line; the older ones are counted. */
const SHOWN_TAGS = 10;

/**
 * Text fit for a log file: tools' escape sequences (colours, cursor moves) and other control characters
 * removed, tabs and newlines kept. Tool output reaches these lines verbatim (install and start logs,
 * failure messages, measured values).
 */
export function plainText(text: string): string {
  return stripVTControlCharacters(text).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

const tag = (status: string) => `[${statusLook(status).tag}]`;

export function describeCheck(check: CheckResult): string {
  const required = check.required ? ` (needs ${check.required})` : '';
  const fix = check.fix && check.status !== 'passed' ? `\n           fix: ${check.fix}` : '';
  return `${tag(check.status)} ${check.title}: ${check.measured}${required}${fix}`;
}

export function describeAssertion(outcome: AssertionOutcome): string {
  const latency = outcome.latencyMs === null ? '' : ` in ${formatDuration(outcome.latencyMs)}`;
  const cer = outcome.cer === null ? '' : `, CER ${outcome.cer.toFixed(3)}`;
  return `${tag(outcome.status)} ${outcome.name}: ${outcome.detail}${cer}${latency}`;
}

export function describeLfsFile(file: LfsFileRecord): string {
  const what = `${file.path} ${formatBytes(file.size)} sha256 ${file.oid.slice(0, 16)}…`;
  return `${tag(file.verified ? 'passed' : 'failed')} ${what}${file.problem ? `: ${file.problem}` : ''}`;
}

export function describeDriftLines(drift: DriftReport): string[] {
  return [
    `drift: ${describeDrift(drift)}`,
    ...drift.items.map((item) => `  ${tag(driftStatus(item.severity))} ${describeDriftItem(item)}`),
    ...(drift.notCompared.length ? [`  not compared (not measured here): ${drift.notCompared.join(', ')}`] : []),
  ];
}

export function plainReporter(write: (text: string) => void = (text) => process.stderr.write(text)) {
  let mode = 'drill';
  const line = (text: string) => write(`${plainText(text)}\n`);
  const throttle = progressThrottle(2_000, Date.now, (held) => line(`   ${held.step}: ${describeProgress(held.progress)}`));
  // Two steps at once (install beside the LFS download): each line says whose it is.
  const live = new Set<string>();
  const of = (step: string) => (live.size > 1 ? `   [${step}] ` : '   ');
  return (event: DrillEvent): void => {
    switch (event.type) {
      case 'drill-start':
        mode = event.mode;
        line(`whisper-drill ${event.mode}: plan ${event.plan} (${event.planFile})`);
        break;
      case 'step-start':
        live.add(event.step);
        line(`-> ${event.step}: ${event.title}`);
        break;
      case 'check':
        line(`${of(event.step)}${describeCheck(event.check)}`);
        break;
      case 'tags':
        // The newest ten, as the wizard lists them (a dry run is read for this list); the rest counted.
        line(`   ${event.tags.length} snapshot tag(s), the newest first:`);
        for (const tag of event.tags.slice(0, SHOWN_TAGS)) line(`     ${tagLabel(tag)}`);
        if (event.tags.length > SHOWN_TAGS) line(`     … and ${event.tags.length - SHOWN_TAGS} older`);
        break;
      case 'progress': {
        const shown = throttle.offer(event);
        if (shown) line(`   ${event.step}: ${describeProgress(shown.progress)}`);
        break;
      }
      case 'log':
        if (event.stream === 'info' || event.step === 'install' || event.step === 'start') line(`${of(event.step)}${event.stream === 'info' ? '' : '| '}${event.line}`);
        break;
      case 'lfs-file':
        line(`${of('verify')}${describeLfsFile(event.file)}`);
        break;
      case 'assertion':
        line(`   ${describeAssertion(event.outcome)}`);
        break;
      case 'drift':
        for (const text of describeDriftLines(event.drift)) line(`${of(event.step)}${text}`);
        break;
      case 'outside-input':
        line(`${of('install')}outside the backup: ${describeOutsideInput(event.input)}`);
        break;
      case 'isolation':
        line(`${of('install')}isolation: ${describeIsolation(event.isolation)}`);
        break;
      case 'provenance':
        for (const file of event.provenance.files) line(`   provenance (${event.provenance.method}): ${describeProvenanceFile(file)}`);
        for (const copy of event.provenance.elsewhere) line(`   provenance (${event.provenance.method}): ${describeElsewhere(copy)}`);
        break;
      case 'resumed':
        line(`   ${event.said}`);
        break;
      case 'notice':
        line(`   ${event.line}`);
        break;
      case 'step-end': {
        throttle.flush(event.step);
        live.delete(event.step);
        line(`${tag(event.status)} ${event.step}${event.resume ? ` [${event.resume}]` : ''} (${formatDuration(event.durationMs)}): ${event.summary}`);
        if (event.error?.hint) line(`       hint: ${event.error.hint}`);
        break;
      }
      case 'drill-end':
        if (mode === 'check') line(`${verdictHeadline(event.verdict, mode)}: ${event.summary} (in ${formatDuration(event.durationMs)})`);
        else line(`${verdictHeadline(event.verdict, mode)} in ${formatDuration(event.durationMs)}: ${event.summary}`);
        if (!event.cleanedUp) line('teardown did not finish: see the teardown step above');
        if (event.reportDir) {
          line(`report: ${event.reportDir}/report.md`);
          // The page an auditor opens, prints and attaches.
          line(`page:   ${event.reportDir}/report.html`);
        }
        break;
    }
  };
}
