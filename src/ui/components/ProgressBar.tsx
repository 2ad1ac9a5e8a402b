import { Text } from 'ink';
import type { ProgressInfo } from '../../model/events.js';
import { describeProgress, formatBytes, formatDuration } from '../../model/format.js';

export interface ProgressBarProps {
  readonly progress: ProgressInfo;
  readonly width?: number;
}

/** Rate and time left, from what has arrived since the step started (bytes only). */
export function rateAndEta(progress: ProgressInfo): string {
  const { current, total, elapsedMs, unit } = progress;
  if (unit !== 'bytes' || !elapsedMs || elapsedMs < 200 || current <= 0) return '';
  const perSecond = current / (elapsedMs / 1000);
  const left = total !== undefined && total > current ? ` · ${formatDuration(((total - current) / perSecond) * 1000)} left` : '';
  return ` · ${formatBytes(perSecond)}/s${left}`;
}

/** A bar with the amount done (bytes, files or assertions), the rate and the time left. */
export function ProgressBar({ progress, width = 24 }: ProgressBarProps) {
  const ratio = progress.total ? Math.min(1, progress.current / progress.total) : 0;
  const filled = Math.round(ratio * width);
  return (
    <Text wrap="truncate-end">
      <Text color="cyan">{'█'.repeat(filled)}</Text>
      <Text color="gray">{'░'.repeat(width - filled)}</Text> {describeProgress(progress)}
      <Text color="gray">{rateAndEta(progress)}</Text>
    </Text>
  );
}
