import { Box, Text } from 'ink';
import type { ProgressInfo } from '../../core/events.js';
import type { StepView } from '../state.js';
import { ProgressBar } from './ProgressBar.js';

export interface LiveStepProps {
  readonly step: StepView;
  readonly progress?: ProgressInfo;
  readonly tail: readonly string[];
  readonly columns: number;
}

/** The running step: its title, its progress, the last lines of its output. */
export function LiveStep({ step, progress, tail, columns }: LiveStepProps) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text color="cyan">▸</Text> <Text bold>{step.title}</Text>
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
    </Box>
  );
}
