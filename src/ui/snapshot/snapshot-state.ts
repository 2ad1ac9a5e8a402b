/**
 * The snapshot wizard's state: the snapshot's events folded, nothing else — the same events the plain
 * and NDJSON faces print. Pure, so the view is a function of it.
 */
import type { SnapshotEvent, SnapshotPhase } from '../../backup/events.js';

type Of<T extends SnapshotEvent['type']> = Extract<SnapshotEvent, { type: T }>;

export interface PhaseView {
  readonly phase: SnapshotPhase;
  readonly status: Of<'snapshot-phase'>['status'];
  readonly summary?: string;
  readonly ms?: number;
  /** Notes said while it ran (a branch that moved, a hot tier that could not be asked). */
  readonly notes: readonly string[];
}

export interface SnapshotView {
  readonly phases: readonly PhaseView[];
  readonly progress?: Of<'snapshot-progress'> & { readonly since: number };
  readonly changes: readonly Of<'snapshot-change'>[];
  readonly objects: readonly Of<'snapshot-object'>[];
  readonly end?: Of<'snapshot-end'>;
  /** The operator is asked whether to push (the changes are on screen). */
  readonly asking: boolean;
}

export const EMPTY_VIEW: SnapshotView = { phases: [], changes: [], objects: [], asking: false };

export function foldSnapshotEvent(view: SnapshotView, event: SnapshotEvent, now: number): SnapshotView {
  switch (event.type) {
    case 'snapshot-phase': {
      const at = view.phases.findIndex((phase) => phase.phase === event.phase);
      const before = at >= 0 ? view.phases[at]! : undefined;
      const running = event.status === 'running';
      // A note about a phase that has ended (said after it): added under it, its status kept.
      if (running && before && before.status !== 'running') {
        return { ...view, phases: view.phases.map((phase, index) => (index === at && event.summary ? { ...phase, notes: [...phase.notes, event.summary] } : phase)) };
      }
      const next: PhaseView = {
        phase: event.phase,
        status: event.status,
        ...(running ? (before?.summary ? { summary: before.summary } : {}) : event.summary ? { summary: event.summary } : {}),
        ...(event.ms !== undefined ? { ms: event.ms } : {}),
        notes: running && event.summary ? [...(before?.notes ?? []), event.summary] : (before?.notes ?? []),
      };
      const phases = at >= 0 ? view.phases.map((phase, index) => (index === at ? next : phase)) : [...view.phases, next];
      const { progress: _done, ...rest } = view;
      return { ...(running ? view : rest), phases };
    }
    case 'snapshot-progress':
      return { ...view, progress: { ...event, since: view.progress?.phase === event.phase ? view.progress.since : now } };
    case 'snapshot-change':
      return { ...view, changes: [...view.changes, event] };
    case 'snapshot-object':
      return { ...view, objects: [...view.objects, event] };
    case 'snapshot-end': {
      const { progress: _done, ...rest } = view;
      return { ...rest, end: event, asking: false };
    }
  }
}
