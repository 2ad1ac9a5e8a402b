import { Box, Text } from 'ink';

export interface LogViewProps {
  readonly title: string;
  readonly lines: readonly string[];
  /** Lines scrolled up from the end. */
  readonly scroll: number;
  readonly rows: number;
  readonly columns: number;
}

/** A step's whole output, scrolled with ↑/↓, PgUp/PgDn, g/G; l or Esc closes it. */
export function LogView({ title, lines, scroll, rows, columns }: LogViewProps) {
  const height = Math.max(3, rows - 4);
  const end = Math.max(0, lines.length - scroll);
  const start = Math.max(0, end - height);
  const shown = lines.slice(start, end);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="gray" paddingX={1}>
      <Text bold>
        {title} — lines {lines.length === 0 ? 0 : start + 1}–{end} of {lines.length}
      </Text>
      {shown.length === 0 ? <Text color="gray">(no output yet)</Text> : null}
      {shown.map((line, index) => (
        <Text key={start + index} wrap="truncate-end">
          {line.slice(0, Math.max(10, columns - 4))}
        </Text>
      ))}
      <Text color="gray">↑/↓ PgUp/PgDn g/G scroll · l or Esc close</Text>
    </Box>
  );
}
