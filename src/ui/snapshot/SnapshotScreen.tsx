/**
 * `snapshot` on a terminal: each phase with its mark and time, the change list with each changed text
 * file's diff, then — before anything is pushed — "Push and tag?" (y / n); the push with byte progress;
 * the proof, object by object; the end in a line.
 */
import { Box, Text, useInput } from 'ink';
import { formatBytes, formatDuration } from '../../model/format.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { mark } from '../components/marks.js';
import type { SnapshotView } from './snapshot-state.js';

export interface SnapshotScreenProps {
  readonly view: SnapshotView;
  readonly now: number;
  readonly onAnswer: (push: boolean) => void;
  /** Lines of each diff shown (the rest is counted). */
  readonly diffLines?: number;
}

const TITLES: Record<string, string> = {
  gather: 'Gather the service folder',
  environment: "Record this node's environment",
  wheelhouse: 'Make the wheelhouse',
  stage: 'Stage by content hash',
  push: 'Commit and push',
  prove: 'Prove every LFS object landed',
  tag: 'Tag',
  archive: 'Write the cold archive',
};

function Changes({ view, diffLines }: { view: SnapshotView; diffLines: number }) {
  if (view.changes.length === 0) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>What changed{view.end?.since ? ` since ${view.end.since.tag}` : ''}:</Text>
      {view.changes.map((change) => {
        const color = change.change === 'added' ? 'green' : change.change === 'removed' ? 'red' : 'yellow';
        const sizes = change.change === 'changed' && change.before !== undefined ? `${formatBytes(change.before)} → ${formatBytes(change.size)}` : formatBytes(change.change === 'removed' ? (change.before ?? 0) : change.size);
        const lines = change.diff ? change.diff.split('\n') : [];
        return (
          <Box key={change.path} flexDirection="column">
            <Text>
              <Text color={color}>{change.change.padEnd(8)}</Text>
              {change.path} <Text color="gray">({sizes}{change.lfs ? ', LFS' : ''}{change.lines ? `, +${change.lines.added} -${change.lines.removed}` : ''})</Text>
            </Text>
            {lines.slice(0, diffLines).map((line, index) => (
              <Text key={index} color={line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : 'gray'}>
                {'        '}
                {line}
              </Text>
            ))}
            {lines.length > diffLines ? <Text color="gray">{`        … ${lines.length - diffLines} more line(s)`}</Text> : null}
          </Box>
        );
      })}
    </Box>
  );
}

export function SnapshotScreen({ view, now, onAnswer, diffLines = 12 }: SnapshotScreenProps) {
  useInput(
    (input, key) => {
      if (input === 'y' || input === 'Y' || key.return) onAnswer(true);
      else if (input === 'n' || input === 'N' || input === 'q' || key.escape) onAnswer(false);
    },
    { isActive: view.asking },
  );
  const missing = view.objects.filter((object) => !object.present);
  const proven = view.objects.length - missing.length;
  return (
    <Box flexDirection="column">
      <Text bold>whisper-drill snapshot</Text>
      {view.phases.map((phase) => {
        const look = mark(phase.status);
        return (
          <Box key={phase.phase} flexDirection="column">
            <Text wrap="truncate-end">
              <Text color={look.color}>{look.symbol}</Text> {TITLES[phase.phase] ?? phase.phase}
              {phase.ms !== undefined ? <Text color="gray"> ({formatDuration(phase.ms)})</Text> : null}
              {phase.summary && phase.status !== 'running' ? <Text color="gray">: {phase.summary}</Text> : null}
            </Text>
            {phase.notes.map((note, index) => (
              <Text key={index} color="yellow">
                {'  '}
                {note}
              </Text>
            ))}
            {phase.status === 'running' && view.progress?.phase === phase.phase ? (
              <Text>
                {'  '}
                <ProgressBar progress={{ current: view.progress.bytes, total: view.progress.total, unit: 'bytes', elapsedMs: now - view.progress.since, ...(view.progress.file ? { label: view.progress.file } : {}) }} />
              </Text>
            ) : null}
          </Box>
        );
      })}
      <Changes view={view} diffLines={diffLines} />
      {view.asking ? (
        <Box marginTop={1}>
          <Text bold color="cyan">
            Commit, push and tag these {view.changes.length} change(s)? [y]es / [n]o
          </Text>
        </Box>
      ) : null}
      {view.objects.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={missing.length ? 'red' : 'green'}>
            {missing.length ? '✖' : '✔'} {proven} of {view.objects.length} LFS object(s) on the remote, each with the size its pointer says
          </Text>
          {missing.map((object) => (
            <Text key={object.oid} color="red">
              {'  '}MISSING {object.path} {object.oid.slice(0, 12)}… ({formatBytes(object.size)}): {object.why}
            </Text>
          ))}
        </Box>
      ) : null}
      {view.end ? <EndLine view={view} /> : null}
    </Box>
  );
}

function EndLine({ view }: { view: SnapshotView }) {
  const end = view.end!;
  if (end.error) {
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text bold color="red">
          SNAPSHOT FAILED: {end.error}
        </Text>
        {end.hint ? <Text color="gray">{end.hint}</Text> : null}
      </Box>
    );
  }
  const text = end.nothingChanged
    ? `Nothing changed since ${end.since?.tag} (${end.since?.date.slice(0, 10)}): no commit, no tag.`
    : end.dryRun
      ? `Dry run: nothing committed or pushed. ${end.exposure ?? ''}`
      : end.archive
        ? `ARCHIVE ${end.archive.file}: sha256 ${end.archive.sha256.slice(0, 16)}…${end.archive.signature ? ', signed' : ''}`
        : `SNAPSHOT ${end.tag} → ${end.commit?.slice(0, 12)} on ${end.repo}: ${end.objectsProven} LFS object(s) proven.`;
  return (
    <Box marginTop={1}>
      <Text bold color="green">
        {text}
      </Text>
    </Box>
  );
}
