import { Box, Text } from 'ink';
import { ChoiceList } from './ChoiceList.js';
import type { EnvironmentDecision, EnvironmentReview as Review } from '../../model/ports.js';
import { CheckList } from './CheckList.js';

export interface EnvironmentReviewProps {
  readonly review: Review;
  readonly onDecide: (decision: EnvironmentDecision) => void;
}

export function reviewChoices(review: Review): Array<{ label: string; value: EnvironmentDecision }> {
  return [
    ...(review.canInstall ? [{ label: `Install now: ${review.installCommand ?? ''}`, value: 'install' as const }] : []),
    { label: 'Re-check', value: 'recheck' as const },
    { label: 'Continue anyway (the environment step fails)', value: 'continue' as const },
    { label: 'Quit', value: 'quit' as const },
  ];
}

/** Unmet requirements: fix in place (install when root, else the command to run), re-check, continue or quit. */
export function EnvironmentReview({ review, onDecide }: EnvironmentReviewProps) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold color="red">
        Some requirements are not met:
      </Text>
      <CheckList checks={review.checks} />
      {!review.canInstall && review.installCommand ? (
        <Text color="yellow">Not root: run as root, then re-check: {review.installCommand}</Text>
      ) : null}
      <ChoiceList items={reviewChoices(review)} onSelect={(item) => onDecide(item.value)} />
    </Box>
  );
}
