import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { SignOff } from '../../model/record.js';

export interface SignOffPromptProps {
  /** What --operator and --notes gave: the fields start with it. */
  readonly given: SignOff;
  readonly isActive: boolean;
  readonly onDone: (signOff: SignOff) => void;
}

const blankToNull = (text: string) => (text.trim() === '' ? null : text.trim());

/**
 * The end of an interactive drill: who ran it and what they noted, for the report. Enter moves from
 * the name to the notes and then signs off; Esc signs off with what is typed (both may stay empty).
 */
export function SignOffPrompt({ given, isActive, onDone }: SignOffPromptProps) {
  const [operator, setOperator] = useState(given.operator ?? '');
  const [notes, setNotes] = useState(given.notes ?? '');
  const [field, setField] = useState<'operator' | 'notes'>('operator');
  const done = () => onDone({ operator: blankToNull(operator), notes: blankToNull(notes) });
  useInput(
    (input, key) => {
      const [value, set] = field === 'operator' ? [operator, setOperator] : [notes, setNotes];
      if (key.escape) done();
      else if (key.return) field === 'operator' ? setField('notes') : done();
      else if (key.backspace || key.delete) set(value.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) set(value + input);
    },
    { isActive },
  );
  const line = (label: string, name: 'operator' | 'notes', value: string) => (
    <Text>
      <Text color={field === name ? 'cyan' : 'gray'}>{field === name ? '❯ ' : '  '}{label}</Text> {value}
      {field === name ? <Text inverse> </Text> : null}
    </Text>
  );
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>Sign the drill off for the report (Enter: next, Esc: done; both may stay empty)</Text>
      {line('Operator:', 'operator', operator)}
      {line('Notes:   ', 'notes', notes)}
    </Box>
  );
}
