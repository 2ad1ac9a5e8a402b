import { DRILL_HEADINGS } from '../helpers/steps.js';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SnapshotTag } from '../../src/model/record.js';
import { App } from '../../src/ui/App.js';
import { initialState } from '../../src/ui/state.js';
import { createWizardStore, type WizardStore } from '../../src/ui/store.js';
import { KEYS, press, waitForFrame } from '../helpers/ink.js';

const at = '2026-11-24T03:00:00.000Z';

const TAGS: SnapshotTag[] = [
  { name: 'v1.2-config-tuned', commit: 'c'.repeat(40), date: '2026-05-04T02:00:00Z', message: 'tuned', lfsFiles: 3, lfsBytes: 67_000_000, signature: 'unsigned' },
  { name: 'v1.1-broken-model', commit: 'b'.repeat(40), date: '2026-04-06T02:00:00Z', message: 'broken', lfsFiles: 3, lfsBytes: 67_000_000, signature: 'unsigned', lastDrill: { verdict: 'failed', at } },
  { name: 'v1.0-model-large-v3', commit: 'a'.repeat(40), date: '2026-03-02T02:00:00Z', message: 'first', lfsFiles: 3, lfsBytes: 67_000_000, signature: 'verified' },
];

function setup() {
  const store: WizardStore = createWizardStore(initialState('demo', 'drill', DRILL_HEADINGS), 0, 0);
  const handlers = { onChooseTag: vi.fn(), onAbort: vi.fn(), onForce: vi.fn(), onExit: vi.fn() };
  const instance = render(<App store={store} {...handlers} />);
  return { store, instance, ...handlers };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('the wizard', () => {
  it('shows each environment check with its measured value and the fix', async () => {
    // Given a drill whose environment step reports a missing tool
    const { store, instance } = setup();
    cleanup = instance.unmount;
    store.dispatch({ type: 'step-start', at, step: 'environment', title: 'Check the environment' });
    store.dispatch({ type: 'check', step: 'environment', check: { id: 'git-lfs', title: 'Git LFS', status: 'failed', measured: 'git-lfs not found', fix: 'apt-get install -y git-lfs' } });
    store.dispatch({ type: 'check', step: 'environment', check: { id: 'ffmpeg', title: 'FFmpeg', status: 'passed', measured: 'FFmpeg 5.1.9', required: 'ffmpeg' } });
    // Then the screen shows both checks, and the fix for the failure
    const frame = await waitForFrame(instance, (f) => f.includes('FFmpeg 5.1.9'));
    expect(frame).toContain('✖ Git LFS');
    expect(frame).toContain('fix: apt-get install -y git-lfs');
    expect(frame).toContain('✔ FFmpeg');
  });

  it('picks a non-default tag with the arrow keys', async () => {
    // Given the tag question
    const { store, instance, onChooseTag } = setup();
    cleanup = instance.unmount;
    store.dispatch({ type: 'tags', tags: TAGS });
    store.dispatch({ type: 'ask-tag', suggested: TAGS[0]!.name });
    const picker = await waitForFrame(instance, (f) => f.includes('Which snapshot'));
    expect(picker).toContain('last drill failed');
    expect(picker).toContain('signed ✔');
    // When the operator moves down twice and presses Enter
    await press(instance, KEYS.down);
    await press(instance, KEYS.down);
    instance.stdin.write(KEYS.enter);
    // Then the third tag is chosen
    await vi.waitFor(() => expect(onChooseTag).toHaveBeenCalledWith('v1.0-model-large-v3'));
  });

  /** The wizard at the tag question, with the newest tag suggested. */
  async function atTagQuestion() {
    const { store, instance, onChooseTag } = setup();
    cleanup = instance.unmount;
    store.dispatch({ type: 'tags', tags: TAGS });
    store.dispatch({ type: 'ask-tag', suggested: TAGS[0]!.name });
    await waitForFrame(instance, (f) => f.includes('Which snapshot'));
    return { instance, onChooseTag };
  }

  it('takes keys that arrive in one read in order (a slow ssh link, a quick typist): down, down, Enter picks the third tag', async () => {
    const { instance, onChooseTag } = await atTagQuestion();
    instance.stdin.write(KEYS.down + KEYS.down + KEYS.enter);
    await vi.waitFor(() => expect(onChooseTag).toHaveBeenCalledWith('v1.0-model-large-v3'));
    expect(onChooseTag).toHaveBeenCalledTimes(1);
  });

  it('filters by what is typed, even when the keys come in one read, and Enter takes the match', async () => {
    const { instance, onChooseTag } = await atTagQuestion();
    instance.stdin.write('v1.0');
    await waitForFrame(instance, (f) => f.includes('filter: v1.0'));
    instance.stdin.write('x\u007F' + KEYS.enter);
    await vi.waitFor(() => expect(onChooseTag).toHaveBeenCalledWith('v1.0-model-large-v3'));
  });

  it('takes a filter and Enter pasted as one string', async () => {
    const { instance, onChooseTag } = await atTagQuestion();
    instance.stdin.write('broken\r');
    await vi.waitFor(() => expect(onChooseTag).toHaveBeenCalledWith('v1.1-broken-model'));
  });

  it('asks before aborting, and does nothing when the operator declines', async () => {
    const { store, instance, onAbort } = setup();
    cleanup = instance.unmount;
    store.dispatch({ type: 'step-start', at, step: 'install', title: 'Install dependencies' });
    await waitForFrame(instance, (f) => f.includes('Install dependencies'));
    // When q is pressed, the question appears
    const asked = await press(instance, 'q');
    expect(asked).toContain('Abort the drill?');
    // And n takes it away without aborting
    const declined = await press(instance, 'n');
    expect(declined).not.toContain('Abort the drill?');
    expect(onAbort).not.toHaveBeenCalled();
  });

  it('aborts on Ctrl-C then y, and forces on a second Ctrl-C while aborting', async () => {
    const { store, instance, onAbort, onForce } = setup();
    cleanup = instance.unmount;
    store.dispatch({ type: 'step-start', at, step: 'start', title: 'Start the service' });
    await waitForFrame(instance, (f) => f.includes('Start the service'));
    await press(instance, KEYS.ctrlC);
    instance.stdin.write('y');
    await vi.waitFor(() => expect(onAbort).toHaveBeenCalledTimes(1));
    store.dispatch({ type: 'abort-confirmed' });
    await waitForFrame(instance, (f) => f.includes('Aborting'));
    instance.stdin.write(KEYS.ctrlC);
    await vi.waitFor(() => expect(onForce).toHaveBeenCalledTimes(1));
  });

  it('shows the live step with its progress and output, then the summary with the report path', async () => {
    const { store, instance, onExit } = setup();
    cleanup = instance.unmount;
    store.dispatch({ type: 'step-start', at, step: 'fetch', title: 'Fetch the snapshot and its LFS objects' });
    store.dispatch({ type: 'progress', step: 'fetch', progress: { current: 32 * 1024 * 1024, total: 64 * 1024 * 1024, unit: 'bytes' } });
    store.dispatch({ type: 'log', step: 'fetch', stream: 'stderr', line: 'Receiving objects: 100%' });
    const live = await waitForFrame(instance, (f) => f.includes('32.0 MiB / 64.0 MiB 50%'));
    expect(live).toContain('Receiving objects: 100%');
    store.dispatch({ type: 'step-end', at, step: 'fetch', status: 'passed', durationMs: 1500, summary: '3 LFS objects' });
    store.dispatch({ type: 'drill-end', cleanedUp: true, at, verdict: 'passed', durationMs: 19_000, exitCode: 0, summary: 'restored and verified', reportDir: '/r/demo/x' });
    const summary = await waitForFrame(instance, (f) => f.includes('PASSED'));
    expect(summary).toContain('Report: /r/demo/x/report.md');
    expect(summary).toMatch(/fetch\s+▇+ 1\.5 s/);
    instance.stdin.write(KEYS.enter);
    await vi.waitFor(() => expect(onExit).toHaveBeenCalled());
  });
});
