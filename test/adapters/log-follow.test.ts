/** The service's log: followed line by line with a per-read limit, and kept under its cap. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { capLog, followLog } from '../../src/adapters/log-follow.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const logFile = (text: string) => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'log-follow-'));
  const file = path.join(dir, 'service.log');
  writeFileSync(file, text);
  return file;
};

describe('followLog', () => {
  it('hands over at most linesPerRead lines of one read, then says what it skipped', async () => {
    const file = logFile(Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const seen: string[] = [];
    await followLog(file, (line) => seen.push(line), { linesPerRead: 3 }).close();
    expect(seen.slice(0, 3)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(seen).toHaveLength(4);
    expect(seen[3]).toMatch(/^… .* of log not shown live \(it is in .*service\.log\)$/);
  });

  it('hands over every line when they fit, the last one without its newline at close', async () => {
    const file = logFile('a\nb\r\nc');
    const seen: string[] = [];
    await followLog(file, (line) => seen.push(line), { linesPerRead: 3 }).close();
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});

describe('capLog', () => {
  it('past its cap keeps at most half the cap of the head, says what it dropped, and counts it', async () => {
    const file = logFile('x'.repeat(1000));
    const cap = capLog(file, 100);
    await cap.stop();
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`${'x'.repeat(50)}\n[whisper-drill: this log passed its cap`)).toBe(true);
    expect(text).toMatch(/dropped so far after its first 0\.0 MiB; what follows is its latest output\]\n$/);
    expect(cap.droppedBytes()).toBe(950);
  });

  it('leaves a log under its cap as it is', async () => {
    const file = logFile('short\n');
    const cap = capLog(file, 100);
    await cap.stop();
    expect(readFileSync(file, 'utf8')).toBe('short\n');
    expect(cap.droppedBytes()).toBe(0);
  });
});
