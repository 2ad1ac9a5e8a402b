import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import { useRawKeys } from '../hooks/use-raw-keys.js';
import { editField, fieldKeys, fieldOf, fieldParts, type TextField } from '../text-field.js';
import type { SignOff } from '../../model/record.js';

export interface SignOffPromptProps {
  /** What --operator and --notes gave: the fields start with it. */
  readonly given: SignOff;
  readonly isActive: boolean;
  /** The drill ended while "Abort the drill?" waited for its answer. */
  readonly outran?: boolean;
  readonly onDone: (signOff: SignOff) => void;
}

const blankToNull = (text: string) => (text.trim() === '' ? null : text.trim());

/**
 * The end of an interactive drill: who ran it and what they noted, for the report. Enter moves from
 * the name to the notes and then signs off; Esc signs off with what is typed (both may stay empty).
 */
export function SignOffPrompt({ given, isActive, outran = false, onDone }: SignOffPromptProps) {
  // What is typed lives in a ref each key updates at once: keys that come in one read (a quick typist,
  // a slow link) are all handled before React renders again (as ChoiceList's highlight).
  const typed = useRef<{ operator: TextField; notes: TextField; field: 'operator' | 'notes' }>({ operator: fieldOf(given.operator ?? ''), notes: fieldOf(given.notes ?? ''), field: 'operator' });
  const [, redraw] = useState(0);
  const { field } = typed.current;
  const finished = useRef(false);
  const done = () => {
    if (finished.current) return;
    finished.current = true;
    onDone({ operator: blankToNull(typed.current.operator.value), notes: blankToNull(typed.current.notes.value) });
  };
  useRawKeys(
    (chunk) => {
      for (const key of fieldKeys(chunk)) {
        const now = typed.current;
        // Ctrl-C is the wizard's own (it asks whether to abort): not a key of the field.
        if (key.kind === 'interrupt' || finished.current) return;
        if (key.kind === 'escape') return done();
        if (key.kind === 'enter') {
          if (now.field === 'notes') return done();
          typed.current = { ...now, field: 'notes' };
        } else typed.current = { ...now, [now.field]: editField(now[now.field], key) };
      }
      redraw((n) => n + 1);
    },
    { isActive },
  );
  const line = (label: string, name: 'operator' | 'notes', value: TextField) => {
    const parts = fieldParts(value);
    return (
      <Text>
        <Text color={field === name ? 'cyan' : 'gray'}>{field === name ? '❯ ' : '  '}{label}</Text>{' '}
        {field === name ? (
          <>
            {parts.before}
            <Text inverse>{parts.under}</Text>
            {parts.after}
          </>
        ) : (
          value.value
        )}
      </Text>
    );
  };
  return (
    <Box flexDirection="column" marginTop={1}>
      {outran ? <Text color="yellow">The drill ended before the abort was answered: its verdict stands, and nothing is left to abort.</Text> : null}
      <Text bold>Sign the drill off for the report (Enter: next, Esc: done, Ctrl-C: none; both may stay empty)</Text>
      {line('Operator:', 'operator', typed.current.operator)}
      {line('Notes:   ', 'notes', typed.current.notes)}
    </Box>
  );
}
