import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import type { SnapshotTag } from '../../core/events.js';
import { formatBytes } from '../../core/format.js';

export interface TagPickerProps {
  readonly tags: readonly SnapshotTag[];
  readonly suggested: string;
  readonly onChoose: (tag: string) => void;
}

const SIGNATURE: Readonly<Record<SnapshotTag['signature'], string>> = {
  verified: 'signed ✔',
  unsigned: 'unsigned',
  bad: 'BAD SIGNATURE',
  unchecked: 'signed (unchecked)',
};

export function tagLabel(tag: SnapshotTag): string {
  const last = tag.lastDrill ? `last drill ${tag.lastDrill.verdict}` : 'never drilled';
  return `${tag.name.padEnd(24)} ${tag.date.slice(0, 10)}  ${formatBytes(tag.lfsBytes).padStart(9)}  ${SIGNATURE[tag.signature].padEnd(18)} ${last}`;
}

/** Newest first; Enter restores the highlighted tag. */
export function TagPicker({ tags, suggested, onChoose }: TagPickerProps) {
  const items = tags.map((tag) => ({ key: tag.name, label: tagLabel(tag), value: tag.name }));
  const initialIndex = Math.max(0, tags.findIndex((tag) => tag.name === suggested));
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>Which snapshot should be restored? (↑/↓, Enter)</Text>
      <SelectInput items={items} initialIndex={initialIndex} limit={10} onSelect={(item) => onChoose(item.value)} />
    </Box>
  );
}
