/**
 * Lists to choose from with ↑/↓ and Enter. Written here rather than taken from ink-select-input,
 * which keeps the highlighted row in React state: keys that arrive in one read (a slow ssh link, a
 * quick typist: ↓ ↓ Enter) are all handled before React renders again, so its Enter acted on the
 * row highlighted before the arrows and restored the wrong snapshot (test/ui/wizard.test.tsx). Here
 * the highlight lives in a ref that each key updates at once; the state only asks for a new frame.
 */
import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';

export interface Choice<T> {
  readonly key?: string;
  readonly label: string;
  readonly value: T;
}

/** The highlighted row and the first row shown (the window of `rows` follows the highlight). */
export interface ListView {
  readonly highlight: number;
  readonly first: number;
}

export function viewAt(highlight: number, count: number, rows: number): ListView {
  const at = Math.min(Math.max(0, highlight), Math.max(0, count - 1));
  return { highlight: at, first: Math.max(0, at - rows + 1) };
}

/** One row up or down; past either end it wraps around, as menus do. */
export function moveHighlight(view: ListView, delta: 1 | -1, count: number, rows: number): ListView {
  if (count === 0) return view;
  const highlight = (view.highlight + delta + count) % count;
  const first = highlight < view.first ? highlight : highlight >= view.first + rows ? highlight - rows + 1 : view.first;
  return { highlight, first };
}

/** The rows of a list as drawn: `❯` and blue for the highlighted one. */
export function ChoiceRows<T>({ items, view, rows }: { readonly items: readonly Choice<T>[]; readonly view: ListView; readonly rows: number }) {
  return (
    <Box flexDirection="column">
      {items.slice(view.first, view.first + rows).map((item, row) => {
        const selected = view.first + row === view.highlight;
        return (
          <Box key={item.key ?? item.label}>
            <Box marginRight={1}>{selected ? <Text color="blue">❯</Text> : <Text> </Text>}</Box>
            <Text {...(selected ? { color: 'blue' } : {})}>{item.label}</Text>
          </Box>
        );
      })}
    </Box>
  );
}

export interface ChoiceListProps<T> {
  readonly items: readonly Choice<T>[];
  readonly initialIndex?: number;
  readonly limit?: number;
  readonly isFocused?: boolean;
  readonly onSelect: (item: Choice<T>) => void;
}

/** A list that handles its own keys: ↑/↓ move, Enter chooses. */
export function ChoiceList<T>({ items, initialIndex = 0, limit, isFocused = true, onSelect }: ChoiceListProps<T>) {
  const rows = Math.min(limit ?? items.length, items.length);
  const view = useRef(viewAt(initialIndex, items.length, rows));
  const [, redraw] = useState(0);
  useInput(
    (_input, key) => {
      if (key.return && items[view.current.highlight]) onSelect(items[view.current.highlight]!);
      else if (key.upArrow || key.downArrow) {
        view.current = moveHighlight(view.current, key.downArrow ? 1 : -1, items.length, rows);
        redraw((n) => n + 1);
      }
    },
    { isActive: isFocused },
  );
  return <ChoiceRows items={items} view={view.current} rows={rows} />;
}
