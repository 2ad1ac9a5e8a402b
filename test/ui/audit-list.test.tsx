/** The audit's list on a terminal: each tag's state in words, the highlighted tag's problems, Enter and q. */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditResult, AuditRow } from '../../src/audit/audit.js';
import { AuditList } from '../../src/ui/audit/AuditList.js';
import { KEYS, press, waitForFrame } from '../helpers/ink.js';

const row = (tag: string, problems: string[] = []): AuditRow => ({
  tag,
  date: '2026-06-01T02:00:00+00:00',
  commit: 'a'.repeat(40),
  lfsFiles: 3,
  lfsBytes: 1 << 26,
  signature: 'unsigned',
  restorable: problems.length === 0,
  problems,
  lock: true,
  wheelhouse: false,
});

const result: AuditResult = {
  repo: 'https://git.example/whisper-backup.git',
  rows: [row('v1.3', ['models/large-v3.pt (8fec8b9a6411…): the server answered 404: Object does not exist']), row('v1.2'), row('v1.1')],
  objects: 4,
  missingObjects: 1,
  source: 'server',
};

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('the audit list', () => {
  it('says which tags are restorable, shows why the highlighted one is not, and drills the one chosen with Enter', async () => {
    const onDone = vi.fn();
    const instance = render(<AuditList result={result} mustRestore={new Set(['v1.3'])} onDone={onDone} />);
    cleanup = instance.unmount;
    const first = await waitForFrame(instance, (frame) => frame.includes('Audit: 2 of 3 tag(s) restorable'));
    expect(first).toMatch(/❯ v1\.3\s+2026-06-01\s+64\.0 MiB\s+NOT RESTORABLE \(must be\)/);
    expect(first).toContain('✖ models/large-v3.pt (8fec8b9a6411…): the server answered 404: Object does not exist');
    const moved = await press(instance, KEYS.down);
    expect(moved).toMatch(/❯ v1\.2\s+2026-06-01\s+64\.0 MiB\s+restorable/);
    expect(moved).not.toContain('✖');
    // Enter ends the list (no frame follows): the choice is what the list hands over.
    instance.stdin.write(KEYS.enter);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith('v1.2'));
  });

  it('q leaves without drilling', async () => {
    const onDone = vi.fn();
    const instance = render(<AuditList result={result} mustRestore={new Set()} onDone={onDone} />);
    cleanup = instance.unmount;
    await waitForFrame(instance, (frame) => frame.includes('q: leave'));
    instance.stdin.write('q');
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith(undefined));
  });
});
