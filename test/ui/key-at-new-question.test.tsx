/**
 * A key pressed at a question the moment it is drawn is the question's: Ink hands a new key handler
 * over only in an effect after the frame, so the wizard reads the store's state when the key comes.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/ui/App.js';
import { SignOffPrompt } from '../../src/ui/components/SignOffPrompt.js';
import { initialState } from '../../src/ui/state.js';
import { createWizardStore } from '../../src/ui/store.js';
import { DRILL_HEADINGS } from '../helpers/steps.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('a key at a question just asked', () => {
  it('"y" right after "Abort the drill?" aborts, even before React has handed the new handler over', async () => {
    const store = createWizardStore(initialState('demo', 'drill', DRILL_HEADINGS), 0, 0);
    const handlers = { onChooseTag: vi.fn(), onEnvironmentDecision: vi.fn(), onAbort: vi.fn(), onForce: vi.fn(), onExit: vi.fn() };
    const instance = render(<App store={store} {...handlers} />);
    cleanup = instance.unmount;
    store.dispatch({ type: 'step-start', at: '2026-11-24T03:00:00.000Z', step: 'start', title: 'Start the service' });
    await vi.waitFor(() => expect(instance.lastFrame()).toContain('Start the service'));
    // The question and the answer in one go, as a quick operator (or a slow link) delivers them
    store.dispatch({ type: 'abort-requested' });
    instance.stdin.write('y');
    await vi.waitFor(() => expect(handlers.onAbort).toHaveBeenCalledTimes(1));
  });
});

describe('keys that come in one read', () => {
  it('are each typed into the sign-off, none lost to a render that has not happened yet', async () => {
    const onDone = vi.fn();
    const instance = render(<SignOffPrompt given={{ operator: null, notes: null }} isActive onDone={onDone} />);
    cleanup = instance.unmount;
    await vi.waitFor(() => expect(instance.lastFrame()).toContain('Operator:'));
    for (const key of ['D', 'a', 'n', 'a', '\r', 'O', 'K']) instance.stdin.write(key);
    instance.stdin.write('\u001B');
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({ operator: 'Dana', notes: 'OK' }));
  });

  it('count every key of a burst written at once: a name with its Enter, a held Backspace, Ctrl-U, Ctrl-W', async () => {
    const onDone = vi.fn();
    const instance = render(<SignOffPrompt given={{ operator: 'someone else', notes: null }} isActive onDone={onDone} />);
    cleanup = instance.unmount;
    await vi.waitFor(() => expect(instance.lastFrame()).toContain('someone else'));
    // Ctrl-U clears the prefilled name; "Danaxx", two Backspaces and the Enter arrive in one read.
    instance.stdin.write('\u0015Danaxx\u007f\u007f\r');
    await vi.waitFor(() => expect(instance.lastFrame()).toMatch(/Operator: Dana\s*$/m));
    // A held Backspace, Ctrl-W over a word, Ctrl-A to the start, and text typed there, in one read.
    instance.stdin.write('restored ok  wrongly\u0017\u007f\u007f\u0001drill: \u001b');
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({ operator: 'Dana', notes: 'drill: restored ok' }));
  });
});
