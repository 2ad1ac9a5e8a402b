import { Box, Text } from 'ink';
import type { ProgressInfo } from '../../model/events.js';
import { formatDuration } from '../../model/format.js';
import { useClock } from '../hooks/use-clock.js';
import type { StepView } from '../state.js';
import { ProgressBar } from './ProgressBar.js';

export interface LiveStepProps {
  readonly step: StepView;
  readonly progress?: ProgressInfo;
  readonly tail: readonly string[];
  readonly columns: number;
}

/** The running step: its title, elapsed time against its limit, its progress, the last lines of its output. */
export function LiveStep({ step, progress, tail, columns }: LiveStepProps) {
  const now = useClock(true);
  const elapsed = step.startedAtMs ? Math.max(0, now - step.startedAtMs) : 0;
  const limit = step.limitMs ? ` of ${formatDuration(step.limitMs)}` : '';
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text color="cyan">▸</Text> <Text bold>{step.title}</Text>
        <Text color="gray">
          {' '}
          {formatDuration(elapsed)}
          {limit}
        </Text>
      </Text>
      {progress ? (
        <Box marginLeft={2}>
          <ProgressBar progress={progress} />
        </Box>
      ) : null}
      {tail.map((line, index) => (
        <Text key={index} color="gray" wrap="truncate-end">
          {'  │ '}
          {line.slice(0, Math.max(10, columns - 6))}
        </Text>
      ))}
      {tail.length > 0 ? <Text color="gray">{'  '}l: whole log</Text> : null}
    </Box>
  );
}
