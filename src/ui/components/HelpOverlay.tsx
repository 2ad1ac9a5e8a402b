import { Box, Text } from 'ink';

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['↑ ↓ Enter', 'move and choose (tag picker, environment actions)'],
  ['type', 'filter the tag list (Backspace deletes)'],
  ['l', 'the whole log of the running (or last) step'],
  ['q / Ctrl-C', 'abort the drill (asks first; y to confirm, n to go on)'],
  ['Ctrl-C', 'again while aborting: force it'],
  ['?', 'show or hide these keys'],
];

export function HelpOverlay() {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} marginTop={1}>
      <Text bold>Keys</Text>
      {KEYS.map(([key, what]) => (
        <Text key={key}>
          <Text color="cyan">{key.padEnd(12)}</Text> {what}
        </Text>
      ))}
    </Box>
  );
}
