/** The snapshot wizard's fold of the snapshot's events: phases, notes, progress, the end. */
import { describe, expect, it } from 'vitest';
import type { SnapshotEvent } from '../../src/backup/events.js';
import { EMPTY_VIEW, foldSnapshotEvent } from '../../src/ui/snapshot/snapshot-state.js';

const fold = (events: SnapshotEvent[]) => events.reduce((view, event, index) => foldSnapshotEvent(view, event, index * 100), EMPTY_VIEW);

describe('the snapshot wizard\'s state', () => {
  it('keeps each phase once, with its notes — a note said after a phase ended keeps its mark — and drops the progress when the phase ends', () => {
    const view = fold([
      { type: 'snapshot-phase', phase: 'gather', status: 'running' },
      { type: 'snapshot-phase', phase: 'gather', status: 'passed', summary: '7 files', ms: 20 },
      { type: 'snapshot-phase', phase: 'gather', status: 'running', summary: 'a service that loads models/large-v3.pt by path needs no link at all' },
      { type: 'snapshot-phase', phase: 'push', status: 'running' },
      { type: 'snapshot-progress', phase: 'push', bytes: 10, total: 100 },
      { type: 'snapshot-phase', phase: 'push', status: 'running', summary: 'main moved meanwhile' },
      { type: 'snapshot-progress', phase: 'push', bytes: 60, total: 100 },
    ]);
    expect(view.phases.map((phase) => [phase.phase, phase.status, phase.notes])).toEqual([
      ['gather', 'passed', ['a service that loads models/large-v3.pt by path needs no link at all']],
      ['push', 'running', ['main moved meanwhile']],
    ]);
    expect(view.progress).toMatchObject({ bytes: 60, total: 100, since: 400 });
    const ended = foldSnapshotEvent(view, { type: 'snapshot-phase', phase: 'push', status: 'passed', summary: 'abc on main', ms: 900 }, 800);
    expect(ended.progress).toBeUndefined();
    expect(ended.phases[1]).toMatchObject({ status: 'passed', summary: 'abc on main', notes: ['main moved meanwhile'] });
  });
});
