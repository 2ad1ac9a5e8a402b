import { Box, Text } from 'ink';
import { describeDrift } from '../../model/drift-text.js';
import type { DriftReport } from '../../model/record.js';
import { driftStatus } from '../../faces/status.js';
import { mark } from './marks.js';

/** How this node differs from the environment the tag was verified on: one line per difference, marked by severity. */
export function DriftList({ drift }: { readonly drift: DriftReport }) {
  return (
    <Box flexDirection="column" marginLeft={2}>
      <Text color="gray">drift: {describeDrift(drift)}</Text>
      {drift.items.map((item) => {
        const { symbol, color } = mark(driftStatus(item.severity));
        return (
          <Text key={item.key}>
            <Text color={color}>{symbol}</Text> {item.title.padEnd(16)} {item.recorded ?? 'none'} → {item.current ?? 'none'} <Text color="gray">({item.change})</Text>
          </Text>
        );
      })}
      {drift.notCompared.length ? <Text color="gray">  not compared (not measured here): {drift.notCompared.join(', ')}</Text> : null}
    </Box>
  );
}
