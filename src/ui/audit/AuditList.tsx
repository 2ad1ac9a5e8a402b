/**
 * The audit on a terminal: every tag in a scrollable list (↑/↓, PgUp/PgDn), restorable or not in
 * words and colour, the highlighted tag's problems below it; Enter drills that tag, q leaves.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { AuditResult, AuditRow } from '../../audit/audit.js';
import { formatBytes } from '../../model/format.js';
import { ChoiceRows, moveHighlight, viewAt, type Choice } from '../components/ChoiceList.js';

export interface AuditListProps {
  readonly result: AuditResult;
  readonly mustRestore: ReadonlySet<string>;
  /** The tag to drill, or undefined when the operator leaves. */
  readonly onDone: (tag: string | undefined) => void;
  readonly rows?: number;
}

export function auditLabel(row: AuditRow, must: boolean): string {
  const state = row.restorable ? 'restorable' : must ? 'NOT RESTORABLE (must be)' : 'not restorable';
  const last = row.lastDrill ? `last drill ${row.lastDrill.verdict}` : 'never drilled';
  return `${row.tag.padEnd(22)} ${row.date.slice(0, 10)} ${formatBytes(row.lfsBytes).padStart(9)}  ${state.padEnd(24)} ${last}`;
}

export function AuditList({ result, mustRestore, onDone, rows = 10 }: AuditListProps) {
  const { exit } = useApp();
  const items: Choice<AuditRow>[] = result.rows.map((row) => ({ key: row.tag, label: auditLabel(row, mustRestore.has(row.tag)), value: row }));
  const shown = Math.min(rows, items.length);
  const view = useRef(viewAt(0, items.length, shown));
  const [, redraw] = useState(0);
  const leave = (tag: string | undefined) => {
    onDone(tag);
    exit();
  };
  useInput((input, key) => {
    if (key.return && items[view.current.highlight]) return leave(items[view.current.highlight]!.value.tag);
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) return leave(undefined);
    const steps = key.pageDown ? shown : key.pageUp ? -shown : key.downArrow ? 1 : key.upArrow ? -1 : 0;
    for (let i = 0; i < Math.abs(steps); i += 1) view.current = moveHighlight(view.current, steps > 0 ? 1 : -1, items.length, shown);
    if (steps !== 0) redraw((n) => n + 1);
  });
  const highlighted = result.rows[view.current.highlight];
  const unrestorable = result.rows.filter((row) => !row.restorable).length;
  return (
    <Box flexDirection="column">
      <Text bold>
        Audit: {result.rows.length - unrestorable} of {result.rows.length} tag(s) restorable
      </Text>
      <Text color="gray">
        {result.repo} · {result.objects} LFS object(s) asked, {result.missingObjects} missing or of the wrong size — nothing downloaded
      </Text>
      <Box marginTop={1}>
        <ChoiceRows items={items} view={view.current} rows={shown} />
      </Box>
      {highlighted ? (
        <Box flexDirection="column" marginTop={1}>
          {highlighted.restorable ? (
            <Text color="green">✔ {highlighted.tag}: every LFS object there with its size, every file a drill reads</Text>
          ) : (
            highlighted.problems.map((problem) => (
              <Text key={problem} color="red">
                ✖ {problem}
              </Text>
            ))
          )}
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text color="gray">↑/↓ move · Enter: drill this tag · q: leave</Text>
      </Box>
    </Box>
  );
}
