import { Text } from 'ink';
import type { ProgressInfo } from '../../core/events.js';
import { describeProgress } from '../../reporters/plain.js';

export interface ProgressBarProps {
  readonly progress: ProgressInfo;
  readonly width?: number;
}

/** A bar with the amount done (bytes, files or assertions) and the current item. */
export function ProgressBar({ progress, width = 28 }: ProgressBarProps) {
  const ratio = progress.total ? Math.min(1, progress.current / progress.total) : 0;
  const filled = Math.round(ratio * width);
  return (
    <Text>
      <Text color="cyan">{'█'.repeat(filled)}</Text>
      <Text color="gray">{'░'.repeat(width - filled)}</Text> {describeProgress(progress)}
    </Text>
  );
}
