/** A folder emptied, the folder kept; one that is not there is left as it is. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDir } from '../../src/adapters/empty-dir.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'empty-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('emptyDir', () => {
  it('removes files, folders and dot-files, and keeps the folder', async () => {
    mkdirSync(path.join(dir, '.git', 'objects'), { recursive: true });
    writeFileSync(path.join(dir, 'app.py'), 'x');
    await emptyDir(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes a folder that is not there for empty', async () => {
    await emptyDir(path.join(dir, 'gone'));
    expect(existsSync(path.join(dir, 'gone'))).toBe(false);
  });
});
