/** An output file is written whole or not at all, and a directory in its place is said, with nothing left beside it. */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/outputs/index.js';
import { DrillError } from '../../src/model/errors.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-atomic-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('writeAtomically', () => {
  it('writes the file through a temporary name that does not stay', async () => {
    await writeAtomically(path.join(tmp, 'page.html'), '<p>one</p>');
    await writeAtomically(path.join(tmp, 'page.html'), '<p>two</p>');
    expect(await readFile(path.join(tmp, 'page.html'), 'utf8')).toBe('<p>two</p>');
    expect(await readdir(tmp)).toEqual(['page.html']);
  });

  it('names a directory where the file should go, and leaves no temporary file', async () => {
    const dir = path.join(tmp, 'reports');
    await mkdir(dir);
    const error = await writeAtomically(dir, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrillError);
    expect((error as DrillError).message).toBe(`${dir} is a directory: name a file to write`);
    expect((await readdir(tmp)).sort()).toEqual(['page.html', 'reports']);
  });
});
