import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import type { SnapshotTag } from '../../core/model.js';
import { formatBytes } from '../../core/format.js';

export interface TagPickerProps {
  readonly tags: readonly SnapshotTag[];
  readonly suggested: string;
  readonly filter: string;
  readonly onFilter: (filter: string) => void;
  readonly onChoose: (tag: string) => void;
  readonly isActive: boolean;
}

const SIGNATURE: Readonly<Record<SnapshotTag['signature'], string>> = {
  verified: 'signed ✔',
  unsigned: 'unsigned',
  bad: 'BAD SIGNATURE',
  unchecked: 'signed (unchecked)',
};

export function tagLabel(tag: SnapshotTag): string {
  const last = tag.lastDrill ? `last drill ${tag.lastDrill.verdict}` : 'never drilled';
  return `${tag.name.padEnd(22)} ${tag.date.slice(0, 10)} ${formatBytes(tag.lfsBytes).padStart(9)}  ${SIGNATURE[tag.signature].padEnd(13)} ${last}`;
}

export function filterTags(tags: readonly SnapshotTag[], filter: string): SnapshotTag[] {
  const needle = filter.toLowerCase();
  return tags.filter((tag) => `${tag.name} ${tag.message}`.toLowerCase().includes(needle));
}

/** Newest first; typing filters by name or message; Enter restores the highlighted tag. */
export function TagPicker({ tags, suggested, filter, onFilter, onChoose, isActive }: TagPickerProps) {
  useInput(
    (input, key) => {
      if (key.backspace || key.delete) onFilter(filter.slice(0, -1));
      else if (key.escape) onFilter('');
      // q opens the abort question while nothing is typed; ? is the help key.
      else if (input && !key.ctrl && !key.meta && !key.return && !key.upArrow && !key.downArrow && input !== '?' && !(input === 'q' && filter === '')) {
        onFilter(filter + input);
      }
    },
    { isActive },
  );
  const shown = filterTags(tags, filter);
  const items = shown.map((tag) => ({ key: tag.name, label: tagLabel(tag), value: tag.name }));
  const initialIndex = Math.max(0, shown.findIndex((tag) => tag.name === suggested));
  const highlighted = shown[initialIndex];
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>Which snapshot should be restored? (↑/↓, Enter; type to filter)</Text>
      {filter ? <Text color="cyan">filter: {filter}</Text> : null}
      {items.length === 0 ? <Text color="yellow">no tag matches "{filter}" (Backspace deletes)</Text> : null}
      <SelectInput key={filter} items={items} initialIndex={initialIndex} limit={8} isFocused={isActive} onSelect={(item) => onChoose(item.value)} />
      {highlighted && !filter ? <Text color="gray">newest: {highlighted.message}</Text> : null}
    </Box>
  );
}
