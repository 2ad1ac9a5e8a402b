import { Box, Text } from 'ink';
import { formatDuration } from '../../core/format.js';
import type { WizardState } from '../state.js';
import { mark } from './marks.js';

const BANNER: Readonly<Record<string, string>> = {
  passed: 'green',
  failed: 'red',
  inconclusive: 'magenta',
  aborted: 'red',
};

/** The verdict, the measured time of each step (the RTO), where the report is, and what next. */
export function Summary({ state }: { readonly state: WizardState }) {
  const end = state.end!;
  const longest = Math.max(1, ...state.steps.map((s) => s.durationMs ?? 0));
  return (
    <Box flexDirection="column" marginTop={1}>
      <Box borderStyle="round" borderColor={BANNER[end.verdict] ?? 'white'} paddingX={1}>
        <Text bold color={BANNER[end.verdict] ?? 'white'}>
          {end.verdict.toUpperCase()}
        </Text>
        <Text> in {formatDuration(end.durationMs)} — {end.summary}</Text>
      </Box>
      {state.steps.map((step) => {
        const width = Math.round(((step.durationMs ?? 0) / longest) * 30);
        const { symbol, color } = mark(step.status);
        return (
          <Text key={step.id}>
            <Text color={color}>{symbol}</Text> {step.id.padEnd(12)}
            <Text color="cyan">{'▇'.repeat(width)}</Text> <Text color="gray">{formatDuration(step.durationMs ?? 0)}</Text>
          </Text>
        );
      })}
      {end.reportDir ? <Text>Report: {end.reportDir}/report.md</Text> : null}
      <Text color="gray">Press Enter to exit.</Text>
    </Box>
  );
}
