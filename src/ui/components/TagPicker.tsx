import { Box, Text, useInput, type Key } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { ChoiceRows, moveHighlight, viewAt, type ListView } from './ChoiceList.js';
import type { SnapshotTag } from '../../model/record.js';
import { tagLabel } from '../../model/tag-text.js';

export interface TagPickerProps {
  readonly tags: readonly SnapshotTag[];
  readonly suggested: string;
  readonly filter: string;
  readonly onFilter: (filter: string) => void;
  readonly onChoose: (tag: string) => void;
  readonly isActive: boolean;
}

export function filterTags(tags: readonly SnapshotTag[], filter: string): SnapshotTag[] {
  const needle = filter.toLowerCase();
  return tags.filter((tag) => `${tag.name} ${tag.message}`.toLowerCase().includes(needle));
}

const ROWS = 8;

type PickerAction = { type: 'enter' } | { type: 'move'; delta: 1 | -1 } | { type: 'erase' } | { type: 'clear' } | { type: 'text'; text: string };

/**
 * What a key means to the picker. Ink splits a read only at escape sequences, so typed text, Enter
 * and Backspace that arrive together ("v1.0⏎" pasted) come as one string: taken apart here, in order.
 */
export function pickerActions(input: string, key: Key, typed: string): PickerAction[] {
  if (key.return) return [{ type: 'enter' }];
  if (key.upArrow || key.downArrow) return [{ type: 'move', delta: key.downArrow ? 1 : -1 }];
  if (key.backspace || key.delete) return [{ type: 'erase' }];
  if (key.escape) return [{ type: 'clear' }];
  if (!input || key.ctrl || key.meta) return [];
  const actions: PickerAction[] = [];
  let text = typed;
  for (const char of input) {
    if (char === '\r') actions.push({ type: 'enter' });
    else if (char === '\u007F' || char === '\b') {
      actions.push({ type: 'erase' });
      text = text.slice(0, -1);
    } else if (char === '?' || (char === 'q' && text === '') || char < ' ') continue; // ? is help; q asks to abort while nothing is typed
    else {
      actions.push({ type: 'text', text: char });
      text += char;
    }
  }
  return actions;
}

/**
 * Newest first; typing filters by name or message; Enter restores the highlighted tag. Every key is
 * handled against the filter and highlight the keys before it left (refs), not against the last
 * frame: keys that come in one read ("v1.0", then Enter) act as if typed one by one.
 */
export function TagPicker({ tags, suggested, filter, onFilter, onChoose, isActive }: TagPickerProps) {
  const typed = useRef(filter);
  const startView = (text: string): ListView => {
    const shown = filterTags(tags, text);
    return viewAt(Math.max(0, shown.findIndex((tag) => tag.name === suggested)), shown.length, ROWS);
  };
  const view = useRef(startView(filter));
  const [, redraw] = useState(0);
  useEffect(() => {
    // The filter changed from outside (a new question): start from it.
    if (filter !== typed.current) {
      typed.current = filter;
      view.current = startView(filter);
    }
  });
  const apply = (action: PickerAction): void => {
    const shown = filterTags(tags, typed.current);
    if (action.type === 'enter') {
      const tag = shown[view.current.highlight];
      if (tag) onChoose(tag.name);
      return;
    }
    if (action.type === 'move') {
      view.current = moveHighlight(view.current, action.delta, shown.length, ROWS);
      redraw((n) => n + 1);
      return;
    }
    const next = action.type === 'erase' ? typed.current.slice(0, -1) : action.type === 'clear' ? '' : typed.current + action.text;
    if (next === typed.current) return;
    typed.current = next;
    view.current = startView(next);
    onFilter(next);
  };
  useInput(
    (input, key) => {
      for (const action of pickerActions(input, key, typed.current)) apply(action);
    },
    { isActive },
  );
  const shown = filterTags(tags, typed.current);
  const items = shown.map((tag) => ({ key: tag.name, label: tagLabel(tag), value: tag.name }));
  const highlighted = shown[view.current.highlight];
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>Which snapshot should be restored? (↑/↓, Enter; type to filter)</Text>
      {typed.current ? <Text color="cyan">filter: {typed.current}</Text> : null}
      {items.length === 0 ? <Text color="yellow">no tag matches "{typed.current}" (Backspace deletes)</Text> : null}
      <ChoiceRows items={items} view={view.current} rows={Math.min(ROWS, items.length)} />
      {highlighted && !typed.current ? <Text color="gray">newest: {highlighted.message}</Text> : null}
    </Box>
  );
}
