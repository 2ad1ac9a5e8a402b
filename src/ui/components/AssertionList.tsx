import { Box, Text } from 'ink';
import type { AssertionOutcome } from '../../model/record.js';
import { statusLook } from '../../faces/status.js';
import { diffSegments } from '../../transcribe/compare.js';

/** The normalized expected text against the normalized actual one: what is missing in red, what is extra in yellow. */
function Diff({ expected, actual }: { readonly expected: string; readonly actual: string }) {
  return (
    <Text>
      {diffSegments(expected, actual).map((segment, index) =>
        segment.op === 'same' ? (
          <Text key={index}>{segment.text}</Text>
        ) : segment.op === 'missing' ? (
          <Text key={index} color="red" underline>
            {segment.text}
          </Text>
        ) : (
          <Text key={index} color="yellow" inverse>
            {segment.text}
          </Text>
        ),
      )}
    </Text>
  );
}

function Outcome({ outcome }: { readonly outcome: AssertionOutcome }) {
  const { symbol, color } = statusLook(outcome.status);
  const measured = [outcome.cer === null ? '' : `CER ${outcome.cer.toFixed(3)}`, outcome.latencyMs === null ? '' : `${outcome.latencyMs} ms`].filter(Boolean).join(' · ');
  const showDiff = !outcome.passed && !outcome.inconclusive && outcome.normalizedExpected !== undefined && outcome.normalizedActual !== undefined;
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={color}>{symbol}</Text> <Text bold>{outcome.name}</Text> <Text color="gray">{outcome.api}{measured ? ` · ${measured}` : ''}</Text>
      </Text>
      <Text color="gray" wrap="truncate-end">
        {'    '}expected {JSON.stringify(outcome.expected)} · got {JSON.stringify(outcome.actual)}
      </Text>
      {showDiff ? (
        <Text>
          {'    '}normalized: <Diff expected={outcome.normalizedExpected!} actual={outcome.normalizedActual!} />
        </Text>
      ) : null}
      <Text color={outcome.passed ? 'gray' : color} wrap="truncate-end">
        {'    '}
        {outcome.detail}
      </Text>
    </Box>
  );
}

export function AssertionList({ assertions }: { readonly assertions: readonly AssertionOutcome[] }) {
  if (assertions.length === 0) return null;
  return (
    <Box flexDirection="column" marginLeft={2}>
      {assertions.map((outcome) => (
        <Outcome key={outcome.name} outcome={outcome} />
      ))}
    </Box>
  );
}
