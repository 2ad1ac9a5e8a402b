import { DRILL_HEADINGS } from '../helpers/steps.js';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AssertionOutcome } from '../../src/model/record.js';
import { App } from '../../src/ui/App.js';
import { initialState } from '../../src/ui/state.js';
import { createWizardStore } from '../../src/ui/store.js';
import { KEYS, press, waitForFrame } from '../helpers/ink.js';

const at = '2026-11-24T03:00:00.000Z';
const tag = (name: string, message: string) => ({ name, commit: 'a'.repeat(40), date: '2026-05-04T02:00:00Z', message, lfsFiles: 3, lfsBytes: 1 << 26, signature: 'unsigned' as const });

function setup() {
  const store = createWizardStore(initialState('demo', 'drill', DRILL_HEADINGS), 0, 0);
  const handlers = { onChooseTag: vi.fn(), onEnvironmentDecision: vi.fn(), onAbort: vi.fn(), onForce: vi.fn(), onExit: vi.fn() };
  const instance = render(<App store={store} {...handlers} />);
  cleanup = instance.unmount;
  return { store, instance, ...handlers };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('wizard screens', () => {
  it("says what the cold archive was checked against, in the summary of an archive's drill", async () => {
    const { store, instance } = setup();
    store.dispatch({
      type: 'snapshot',
      repo: '/nas/whisper-backup-20261101.tar.gz',
      archive: { location: '/nas/whisper-backup-20261101.tar.gz', sha256: 'a'.repeat(64), expectedSha256: 'a'.repeat(64), manifest: true, claimsTag: 'v1.3', hotTier: { status: 'same', detail: 'same model' } },
    });
    store.dispatch({ type: 'drill-end', at, verdict: 'passed', durationMs: 6000, exitCode: 0, summary: 'demo restored and verified', cleanedUp: true });
    const frame = await waitForFrame(instance, (f) => f.includes('Cold archive:'));
    expect(frame).toMatch(/Cold archive: sha256 matches its \.sha256, manifest present; claims v1\.3: same/);
  });

  it('shows install beside the LFS download: both steps live, each with its progress and its own lines', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'fetch', title: 'Fetch the snapshot and its LFS objects' });
    store.dispatch({ type: 'progress', step: 'fetch', progress: { current: 1 << 29, total: 1 << 30, unit: 'bytes', label: '3 LFS objects' } });
    store.dispatch({ type: 'step-start', at, step: 'install', title: 'Install dependencies' });
    store.dispatch({ type: 'log', step: 'install', stream: 'stdout', line: 'Collecting numpy' });
    store.dispatch({ type: 'log', step: 'fetch', stream: 'info', line: 'models/large-v3.pt: 512 MiB of 1 GiB' });
    const frame = await waitForFrame(instance, (f) => f.includes('Install dependencies') && f.includes('Collecting numpy'));
    const fetchAt = frame.indexOf('Fetch the snapshot');
    const installAt = frame.indexOf('Install dependencies');
    expect(fetchAt).toBeGreaterThanOrEqual(0);
    expect(installAt).toBeGreaterThan(fetchAt);
    // Each step's output under its own title.
    expect(frame.indexOf('models/large-v3.pt: 512 MiB')).toBeGreaterThan(fetchAt);
    expect(frame.indexOf('models/large-v3.pt: 512 MiB')).toBeLessThan(installAt);
    expect(frame.indexOf('Collecting numpy')).toBeGreaterThan(installAt);
    expect(frame).toMatch(/512 MiB \/ 1\.0 GiB 50%/);
  });

  it('offers to install a missing tool and to re-check, when root', async () => {
    const { store, instance, onEnvironmentDecision } = setup();
    store.dispatch({ type: 'step-start', at, step: 'environment', title: 'Check the environment' });
    store.dispatch({
      type: 'ask-environment',
      review: {
        checks: [{ id: 'git-lfs', title: 'Git LFS', status: 'failed', measured: 'git-lfs not found', fix: 'apt-get install -y git-lfs', installPackage: 'git-lfs' }],
        installable: ['git-lfs'],
        canInstall: true,
        installCommand: 'apt-get update && apt-get install -y git-lfs',
      },
    });
    const frame = await waitForFrame(instance, (f) => f.includes('Some requirements are not met'));
    expect(frame).toContain('Install now: apt-get update && apt-get install -y git-lfs');
    expect(frame).toContain('Re-check');
    // Enter on the first choice installs
    instance.stdin.write(KEYS.enter);
    await vi.waitFor(() => expect(onEnvironmentDecision).toHaveBeenCalledWith('install'));
  });

  it('shows the command to run instead of installing, when not root', async () => {
    const { store, instance, onEnvironmentDecision } = setup();
    store.dispatch({
      type: 'ask-environment',
      review: { checks: [{ id: 'ffmpeg', title: 'FFmpeg', status: 'failed', measured: 'ffmpeg not found' }], installable: ['ffmpeg'], canInstall: false, installCommand: 'apt-get update && apt-get install -y ffmpeg' },
    });
    const frame = await waitForFrame(instance, (f) => f.includes('Not root'));
    expect(frame).toContain('apt-get update && apt-get install -y ffmpeg');
    expect(frame).not.toContain('Install now');
    // Down to "Continue anyway" (the first choice is Re-check)
    await press(instance, KEYS.down);
    instance.stdin.write(KEYS.enter);
    await vi.waitFor(() => expect(onEnvironmentDecision).toHaveBeenCalledWith('continue'));
  });

  it('filters the tag list as the operator types, and q then types rather than aborts', async () => {
    const { store, instance, onChooseTag } = setup();
    store.dispatch({ type: 'tags', tags: [tag('v2-signed', 'signed release'), tag('v1-quarter', 'Q1 state'), tag('v0-first', 'first')] });
    store.dispatch({ type: 'ask-tag', suggested: 'v2-signed' });
    await waitForFrame(instance, (f) => f.includes('v0-first'));
    await press(instance, 'v');
    await press(instance, '1');
    await press(instance, '-');
    const filtered = await press(instance, 'q');
    expect(filtered).toContain('filter: v1-q');
    expect(filtered).toContain('v1-quarter');
    expect(filtered).not.toContain('v0-first');
    expect(filtered).not.toContain('Abort the drill?');
    instance.stdin.write(KEYS.enter);
    await vi.waitFor(() => expect(onChooseTag).toHaveBeenCalledWith('v1-quarter'));
  });

  it('opens the whole log of the running step, scrolls it, and closes it', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'install', title: 'Install dependencies', limitMs: 300_000 });
    for (let i = 1; i <= 60; i += 1) store.dispatch({ type: 'log', step: 'install', stream: 'stdout', line: `pip line ${i}` });
    const live = await waitForFrame(instance, (f) => f.includes('pip line 60'));
    expect(live).toContain('of 5 min');
    expect(live).not.toContain('pip line 50');
    const log = await press(instance, 'l');
    expect(log).toContain('Output of install');
    expect(log).toContain('of 60');
    expect(log).toContain('pip line 60');
    const scrolled = await press(instance, KEYS.up);
    expect(scrolled).not.toContain('pip line 60');
    expect(scrolled).toContain('pip line 59');
    const top = await press(instance, 'g');
    expect(top).toMatch(/│ pip line 1 +│/);
    const closed = await press(instance, KEYS.escape);
    expect(closed).not.toContain('Output of install');
    expect(closed).toContain('Install dependencies');
  });

  it('shows the keys on ?', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'fetch', title: 'Fetch' });
    await waitForFrame(instance, (f) => f.includes('Fetch'));
    const help = await press(instance, '?');
    expect(help).toContain('Keys');
    expect(help).toContain('abort the drill');
    const hidden = await press(instance, '?');
    expect(hidden).not.toContain('abort the drill');
  });

  it('shows bytes, rate and time left while fetching', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'fetch', title: 'Fetch' });
    store.dispatch({ type: 'progress', step: 'fetch', progress: { current: 16 << 20, total: 64 << 20, unit: 'bytes', elapsedMs: 2000 } });
    const frame = await waitForFrame(instance, (f) => f.includes('16.0 MiB / 64.0 MiB 25%'));
    expect(frame).toContain('8.0 MiB/s');
    expect(frame).toContain('6.0 s left');
  });

  it('shows expected and actual text, and highlights what differs in a failed assertion', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'assert', title: 'Assert transcriptions' });
    const failed: AssertionOutcome = {
      status: 'failed',
      name: 'mandarin sample', api: 'gradio', audio: 'example/test_cn.wav', expected: '欢迎使用Whisper服务', actual: '欢迎使用语音服务',
      normalizedExpected: '欢迎使用whisper服务', normalizedActual: '欢迎使用语音服务', cer: 0.583, passed: false, required: true, latencyMs: 812, detail: 'CER 0.58 > 0.10',
    };
    store.dispatch({ type: 'assertion', outcome: failed });
    const frame = await waitForFrame(instance, (f) => f.includes('mandarin sample'));
    expect(frame).toContain('✖ mandarin sample');
    expect(frame).toContain('CER 0.583');
    expect(frame).toContain('812 ms');
    expect(frame).toContain('got "欢迎使用语音服务"');
    expect(frame).toContain('normalized: 欢迎使用');
  });

  it('tells a new node\'s operator where the service runs and how to stop it', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'drill-end', cleanedUp: true, at, verdict: 'passed', durationMs: 12_000, exitCode: 0, summary: 'ok', reportDir: '/r', leftRunning: { pid: 4242, url: 'http://127.0.0.1:7860' } });
    const frame = await waitForFrame(instance, (f) => f.includes('PASSED'));
    expect(frame).toContain('The service runs at http://127.0.0.1:7860');
    expect(frame).toContain('kill -TERM -- -4242'); // a face given no stop command names the signal
  });

  it('names the fix of the failed step after a failed drill', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'verify', title: 'Verify' });
    store.dispatch({ type: 'step-end', at, step: 'verify', status: 'failed', durationMs: 40, summary: 'models/large-v3.pt: sha256 a, expected b', error: { message: 'x', hint: 'pick an earlier tag' } });
    store.dispatch({ type: 'drill-end', cleanedUp: true, at, verdict: 'failed', durationMs: 2_000, exitCode: 1, summary: 'verify failed', reportDir: '/r' });
    const frame = await waitForFrame(instance, (f) => f.includes('FAILED'));
    expect(frame).toContain('Fix verify: pick an earlier tag');
  });

  it('shows the drift from the tag\'s environment under the step that found it, each difference marked by severity', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'snapshot', title: 'Choose the snapshot' });
    store.dispatch({
      type: 'drift',
      step: 'snapshot',
      drift: {
        tag: 'v1.3-signed-release', lockFound: true, recordedAt: '2026-06-01T01:40:00Z', recordedOn: 'gpu-node-07',
        items: [
          { key: 'driver', title: 'NVIDIA driver', recorded: '550.54.15', current: null, change: 'missing', severity: 'warn' },
          { key: 'os', title: 'OS', recorded: 'Ubuntu 22.04.4 LTS', current: 'Debian GNU/Linux 12 (bookworm)', change: 'changed', severity: 'fail' },
        ],
        compared: ['OS', 'NVIDIA driver'],
        notCompared: ['PyTorch'],
      },
    });
    store.dispatch({ type: 'step-end', at, step: 'snapshot', status: 'warned', durationMs: 300, summary: 'v1.3-signed-release; 2 difference(s)' });
    const frame = await waitForFrame(instance, (f) => f.includes('NVIDIA driver'));
    // The summary line wraps at the test terminal's width.
    expect(frame.replace(/\n\s*/g, ' ')).toContain("drift: 2 difference(s) from v1.3-signed-release's environment (recorded 2026-06-01 on gpu-node-07): 1 fail, 1 warn, 0 info");
    expect(frame).toContain('⚠ NVIDIA driver    550.54.15 → none (missing)');
    expect(frame).toContain('✖ OS               Ubuntu 22.04.4 LTS → Debian GNU/Linux 12 (bookworm) (changed)');
    expect(frame).toContain('not compared (not measured here): PyTorch');
  });
});

describe('the sign-off at the end of a drill', () => {
  it('takes the operator, then the notes, and hands both over; keys such as q and ? are text here', async () => {
    const { store, instance } = setup();
    const onSignOff = vi.fn();
    instance.rerender(<App store={store} onChooseTag={vi.fn()} onAbort={vi.fn()} onForce={vi.fn()} onExit={vi.fn()} onSignOff={onSignOff} />);
    store.dispatch({ type: 'ask-sign-off', given: { operator: null, notes: null } });
    await waitForFrame(instance, (f) => f.includes('Sign the drill off'));
    for (const key of ['q', '?', 'x']) await press(instance, key);
    await press(instance, '\u007F');
    await press(instance, KEYS.enter);
    await waitForFrame(instance, (f) => /❯ Notes:/.test(f));
    await press(instance, 'l');
    instance.stdin.write(KEYS.enter);
    await vi.waitFor(() => expect(onSignOff).toHaveBeenCalledWith({ operator: 'q?', notes: 'l' }));
  });
});

describe('the sign-off when the drill ended under "Abort the drill?"', () => {
  it('says the verdict stands, and Ctrl-C there hands over what the flags gave: nothing is aborted', async () => {
    const { store, instance } = setup();
    const onSignOff = vi.fn();
    const onAbort = vi.fn();
    instance.rerender(<App store={store} onChooseTag={vi.fn()} onAbort={onAbort} onForce={vi.fn()} onExit={vi.fn()} onSignOff={onSignOff} />);
    store.dispatch({ type: 'abort-requested' });
    await waitForFrame(instance, (f) => f.includes('Abort the drill?'));
    store.dispatch({ type: 'ask-sign-off', given: { operator: 'ops', notes: null } });
    const frame = await waitForFrame(instance, (f) => f.includes('Sign the drill off'));
    expect(frame).not.toContain('Abort the drill?');
    expect(frame.replace(/\s+/g, ' ')).toContain('The drill ended before the abort was answered: its verdict stands, and nothing is left to abort.');
    instance.stdin.write(KEYS.ctrlC);
    await vi.waitFor(() => expect(onSignOff).toHaveBeenCalledWith({ operator: 'ops', notes: null }));
    expect(onAbort).not.toHaveBeenCalled();
  });
});

describe('setup asks before it links the models into the node\'s home', () => {
  it('shows each link and what it moves aside; q is no answer here, n is', async () => {
    const { store, instance } = setup();
    const onLinkModels = vi.fn();
    instance.rerender(<App store={store} onChooseTag={vi.fn()} onAbort={vi.fn()} onForce={vi.fn()} onExit={vi.fn()} onLinkModels={onLinkModels} />);
    store.dispatch({ type: 'ask-link-models', links: [{ from: '~/.cache/whisper/large-v3.pt', to: 'models/large-v3.pt', where: '/root/.cache/whisper/large-v3.pt', target: '/srv/whisper/models/large-v3.pt', replaces: true }] });
    const frame = await waitForFrame(instance, (f) => f.includes('[y]es / [n]o'));
    expect(frame.replace(/\s+/g, ' ')).toContain('~/.cache/whisper/large-v3.pt → /srv/whisper/models/large-v3.pt (what is there now is moved aside, not deleted)');
    expect(frame).toContain('Link it to the restored model? [y]es / [n]o');
    instance.stdin.write('q');
    instance.stdin.write('n');
    await vi.waitFor(() => expect(onLinkModels).toHaveBeenCalledTimes(1));
    // q asked nothing (no abort prompt): the answer is the n that followed it.
    expect(onLinkModels).toHaveBeenCalledWith(false);
    expect(instance.lastFrame()).not.toContain('Abort');
  });
});

describe('the drill policy on the first screen', () => {
  it('shows an overdue drill among the environment checks', async () => {
    const { store, instance } = setup();
    store.dispatch({ type: 'step-start', at, step: 'environment', title: 'Check the environment' });
    store.dispatch({
      type: 'check',
      step: 'environment',
      check: { id: 'drill-policy', title: 'Drill policy', status: 'warned', measured: 'OVERDUE: last passing drill 120 days ago (2026-07-27)', required: 'a passing drill every 90d' },
    });
    const frame = await waitForFrame(instance, (f) => f.includes('Drill policy'));
    expect(frame).toMatch(/Drill policy\s+OVERDUE: last passing drill 120 days ago/);
  });

  it('puts the recovery and its goal on a line of its own in the summary, never cut between a figure and its unit', async () => {
    const { store, instance } = setup();
    store.dispatch({
      type: 'drill-end', cleanedUp: true, at, verdict: 'passed', durationMs: 6_000, exitCode: 0, reportDir: '/r',
      summary: 'demo v1.2-config-tuned restored and verified; recovery 5.2 s from fetch to the first correct transcript (goal 15 min: met)',
    });
    const frame = await waitForFrame(instance, (f) => f.includes('PASSED'));
    expect(frame).toMatch(/PASSED in 6\.0 s — demo v1\.2-config-tuned restored and verified\s*│\n│ recovery 5\.2 s from fetch to the first correct transcript \(goal 15 min: met\)/);
  });
});
