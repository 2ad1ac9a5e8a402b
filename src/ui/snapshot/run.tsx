/**
 * The snapshot's face on a terminal: an Ink app over the snapshot's events (./snapshot-state.ts). It
 * answers the core's one question — push these changes? — and lets go once the end is drawn. Ctrl-C
 * aborts the snapshot (nothing is tagged once it is asked to stop).
 */
import { render, useApp, useInput } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { SnapshotEvent } from '../../backup/events.js';
import type { FileChange } from '../../backup/changes.js';
import { EMPTY_VIEW, foldSnapshotEvent, type SnapshotView } from './snapshot-state.js';
import { SnapshotScreen } from './SnapshotScreen.js';

export interface SnapshotWizard {
  readonly emit: (event: SnapshotEvent) => void;
  readonly confirm: (changes: readonly FileChange[]) => Promise<boolean>;
  /** Resolves once the last frame is drawn and the terminal is handed back. */
  readonly done: () => Promise<void>;
}

/** Redraws at most this often: hashing and pushing emit progress many times a second. */
const FRAME_MS = 100;

export function snapshotWizard(onAbort: () => void): SnapshotWizard {
  let view: SnapshotView = EMPTY_VIEW;
  const listeners = new Set<() => void>();
  let answer: ((push: boolean) => void) | undefined;
  const update = (next: SnapshotView) => {
    view = next;
    for (const listener of listeners) listener();
  };
  const store = {
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => view,
  };

  function App() {
    const { exit } = useApp();
    const current = useSyncExternalStore(store.subscribe, store.get);
    const [now, setNow] = useState(Date.now());
    useEffect(() => {
      const timer = setInterval(() => setNow(Date.now()), FRAME_MS);
      return () => clearInterval(timer);
    }, []);
    useEffect(() => {
      if (current.end) exit();
    }, [current.end, exit]);
    useInput((input, key) => {
      if (key.ctrl && input === 'c') onAbort();
    });
    return <SnapshotScreen view={current} now={now} onAnswer={(push) => answer?.(push)} />;
  }

  const app = render(<App />, { exitOnCtrlC: false, incrementalRendering: false });
  const exited = app.waitUntilExit();
  return {
    emit: (event) => update(foldSnapshotEvent(view, event, Date.now())),
    confirm: () =>
      new Promise<boolean>((resolve) => {
        answer = (push) => {
          answer = undefined;
          update({ ...view, asking: false });
          resolve(push);
        };
        update({ ...view, asking: true });
      }),
    done: async () => {
      if (!view.end) app.unmount();
      await exited;
    },
  };
}
