import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
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
  // What is typed lives in a ref each key updates at once: keys that come in one read (a quick typist,
  // a slow link) are all handled before React renders again (as ChoiceList's highlight).
  const typed = useRef({ operator: given.operator ?? '', notes: given.notes ?? '', field: 'operator' as 'operator' | 'notes' });
  const [, redraw] = useState(0);
  const { operator, notes, field } = typed.current;
  const done = () => onDone({ operator: blankToNull(typed.current.operator), notes: blankToNull(typed.current.notes) });
  useInput(
    (input, key) => {
      const now = typed.current;
      if (key.escape) return done();
      if (key.return) {
        if (now.field === 'notes') return done();
        typed.current = { ...now, field: 'notes' };
      } else if (key.backspace || key.delete) typed.current = { ...now, [now.field]: now[now.field].slice(0, -1) };
      else if (input && !key.ctrl && !key.meta) typed.current = { ...now, [now.field]: now[now.field] + input };
      else return;
      redraw((n) => n + 1);
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
