import { Box, Text } from 'ink';
import { formatDuration } from '../../model/format.js';
import { archiveLine } from '../../model/archive-text.js';
import { describeElsewhere, describeIsolation, describeProvenanceFile } from '../../model/provenance-text.js';
import { verdictHeadline } from '../../faces/status.js';
import type { WizardState } from '../state.js';
import { mark } from './marks.js';

const BANNER: Readonly<Record<string, string>> = { passed: 'green', failed: 'red', inconclusive: 'magenta', aborted: 'red' };

/** What the operator should do next, in their words. */
export function nextSteps(state: WizardState): string[] {
  const end = state.end!;
  const failed = state.steps.find((step) => step.status === 'failed');
  const lines: string[] = [];
  if (end.leftRunning) {
    lines.push(`The service runs at ${end.leftRunning.url} (process group ${end.leftRunning.pid}).`);
    if (end.leftRunning.log) lines.push(`Its log: ${end.leftRunning.log}`);
    lines.push(`Stop it with: ${end.leftRunning.stop ?? `kill -TERM -- -${end.leftRunning.pid}`}`);
  }
  if (end.verdict === 'failed' && failed) lines.push(`Fix ${failed.id}: ${failed.error?.hint ?? failed.summary}`);
  if (end.verdict === 'inconclusive') lines.push('Run it where every required check can be carried out (see the report).');
  // What teardown found, in its own words: the operator is not told "nothing is left" unless it is so.
  const teardown = state.steps.find((step) => step.id === 'teardown');
  if (!end.cleanedUp) lines.push(`Teardown did not finish: ${teardown?.error?.message ?? teardown?.summary ?? 'see the report'}${teardown?.error?.hint ? ` — ${teardown.error.hint}` : ''}`);
  else if (end.verdict === 'aborted') lines.push(`${teardown ? `Teardown: ${teardown.summary}. ` : ''}Run it again when ready.`);
  if (end.verdict === 'passed' && state.mode === 'check') lines.push(`This node meets every requirement of ${state.plan}; a drill proves the backup itself.`);
  else if (end.verdict === 'passed' && !end.leftRunning) lines.push('Keep the report with the quarter\'s records; whisper-drill history shows the trend.');
  return lines;
}

/** The verdict, the measured time of each step (the RTO), where the report is, and what next. */
export function Summary({ state }: { readonly state: WizardState }) {
  const end = state.end!;
  const longest = Math.max(1, ...state.steps.map((s) => s.durationMs ?? 0));
  const color = BANNER[end.verdict] ?? 'white';
  const [headline, ...more] = end.summary.split('; ');
  return (
    <Box flexDirection="column" marginTop={1}>
      <Box borderStyle="round" borderColor={color} paddingX={1} flexDirection="column">
        <Text>
          <Text bold color={color}>
            {verdictHeadline(end.verdict, state.mode)}
          </Text>{' '}
          in {formatDuration(end.durationMs)} — {headline}
        </Text>
        {/* Each further part of the summary (the recovery and its goal, or another reason) on a line of its own. */}
        {more.map((part) => (
          <Text key={part}>{part}</Text>
        ))}
      </Box>
      {state.steps.map((step) => {
        const { symbol, color: stepColor } = mark(step.status);
        return (
          <Text key={step.id}>
            <Text color={stepColor}>{symbol}</Text> {step.id.padEnd(12)}
            <Text color="cyan">{'▇'.repeat(Math.round(((step.durationMs ?? 0) / longest) * 30))}</Text>{' '}
            <Text color="gray">{formatDuration(step.durationMs ?? 0)}</Text>
          </Text>
        );
      })}
      {/* One line each, cut at the terminal's width: the report has them whole. */}
      {state.archive ? (
        <Text color="gray" wrap="truncate-end">
          Cold archive: {archiveLine(state.archive)}
        </Text>
      ) : null}
      {state.isolation ? (
        <Text color="gray" wrap="truncate-end">
          Isolation: {describeIsolation(state.isolation)}
        </Text>
      ) : null}
      {state.provenance?.files.map((file) => (
        <Text key={file.path} color="gray" wrap="truncate-end">
          Provenance ({state.provenance!.method}): {describeProvenanceFile(file)}
        </Text>
      ))}
      {state.provenance?.elsewhere.map((copy) => (
        <Text key={`${copy.pid}:${copy.path}`} color="red" wrap="truncate-end">
          Provenance: {describeElsewhere(copy)}
        </Text>
      ))}
      {state.outsideInputs?.length ? (
        <Text color="yellow" wrap="truncate-end">
          Outside the backup, pip could use: {state.outsideInputs.map((input) => input.what).join(', ')}
        </Text>
      ) : null}
      {end.reportDir ? <Text>Report: {end.reportDir}/report.md</Text> : null}
      {end.reportDir ? <Text>Page: {end.reportDir}/report.html</Text> : null}
      {nextSteps(state).map((line) => (
        <Text key={line} color="yellow">
          {line}
        </Text>
      ))}
      <Text color="gray">Enter or q: exit · l: log of the last step</Text>
    </Box>
  );
}
