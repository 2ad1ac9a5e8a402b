import { Box, Text } from 'ink';
import { formatDuration } from '../../model/format.js';
import type { StepView } from '../state.js';
import { mark } from './marks.js';

/** One finished step: status, duration, summary, and for a failure the error and the hint. */
export function FinishedStep({ step }: { readonly step: StepView }) {
  const { symbol, color } = mark(step.status);
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={color}>{symbol}</Text> <Text bold>{step.id.padEnd(12)}</Text>
        <Text color="gray">{formatDuration(step.durationMs ?? 0).padStart(9)}</Text> {step.summary}
      </Text>
      {step.error?.hint ? <Text color="yellow">{'   '}hint: {step.error.hint}</Text> : null}
    </Box>
  );
}
