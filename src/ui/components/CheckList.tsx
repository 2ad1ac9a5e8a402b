import { Box, Text } from 'ink';
import type { CheckResult } from '../../model/record.js';
import { mark } from './marks.js';

export interface CheckListProps {
  readonly checks: readonly CheckResult[];
}

/** Each requirement with the measured value next to it, and the fix for each failure. */
export function CheckList({ checks }: CheckListProps) {
  return (
    <Box flexDirection="column" marginLeft={2}>
      {checks.map((check) => {
        const { symbol, color } = mark(check.status);
        return (
          <Box key={check.id} flexDirection="column">
            <Text>
              <Text color={color}>{symbol}</Text> {check.title.padEnd(16)} {check.measured}
              {check.required ? <Text color="gray"> (needs {check.required})</Text> : null}
            </Text>
            {check.fix && check.status !== 'passed' ? <Text color="yellow">    fix: {check.fix}</Text> : null}
          </Box>
        );
      })}
    </Box>
  );
}
