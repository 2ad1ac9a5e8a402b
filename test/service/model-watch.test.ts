/**
 * The watch on the model files, on the real /proc and the real fanotify: a quick open (read and closed
 * at once) is seen by fanotify, with the opener's pid and ancestry; a file held open and mapped is seen
 * by the /proc samples, the fallback where fanotify cannot be used; a copy with a model's name outside
 * the workspace is seen too; and other processes' opens do not count as the service's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeProvenance } from '../../src/core/provenance.js';
import { watchModelFiles, type WatchedModel } from '../../src/service/model-watch.js';

const root = process.getuid?.() === 0;
let tmp: string;
let model: WatchedModel;
let elsewhere: string;

/** A python3 that runs `code`, prints "done" and then waits for its stdin to close. */
function python(code: string): { child: ChildProcess; done: Promise<void> } {
  const child = spawn('python3', ['-c', `${code}\nprint("done", flush=True)\nimport sys; sys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('done') && resolve());
    child.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
  });
  return { child, done };
}

async function end(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin!.end();
  await exited;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-watch-'));
  const absolute = path.join(tmp, 'workspace', 'models', 'large-v3.pt');
  await mkdir(path.dirname(absolute), { recursive: true });
  const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
  await writeFile(absolute, bytes);
  model = { path: 'models/large-v3.pt', absolute, size: bytes.length, sha256: 'a'.repeat(64) };
  elsewhere = path.join(tmp, 'home', '.cache', 'whisper', 'large-v3.pt');
  await mkdir(path.dirname(elsewhere), { recursive: true });
  await writeFile(elsewhere, bytes);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('watching the model files', () => {
  it.runIf(root)('fanotify sees an open that is over at once, with the opener and its ancestry', async () => {
    const watch = watchModelFiles([model]);
    await watch.ready();
    const service = python(`open(${JSON.stringify(model.absolute)}, "rb").read()`);
    watch.attach(service.child.pid!);
    await service.done;
    const outsider = python(`open(${JSON.stringify(model.absolute)}, "rb").read(1)`);
    await outsider.done;
    const result = await watch.finish();
    await Promise.all([end(service.child), end(outsider.child)]);
    expect(result.method).toBe('fanotify');
    expect(result.sightings).toContainEqual(expect.objectContaining({ pid: service.child.pid, path: model.absolute, via: 'open', ancestry: expect.arrayContaining([service.child.pid]) }));
    const judged = judgeProvenance([model], result, service.child.pid!, path.join(tmp, 'workspace'));
    expect(judged.record.files[0]!.openedBy.map((p) => p.pid)).toEqual([service.child.pid]);
    expect(judged.assertion).toMatchObject({ passed: true });
  });

  it('/proc samples see a file held open and mapped (the fallback when fanotify cannot run)', async () => {
    const watch = watchModelFiles([model], { python: path.join(tmp, 'no-such-python3') });
    await watch.ready();
    const service = python(`import mmap\nf = open(${JSON.stringify(model.absolute)}, "rb")\nm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)`);
    watch.attach(service.child.pid!);
    await service.done;
    const result = await watch.finish();
    await end(service.child);
    expect(result.method).toBe('proc-sampling');
    expect(result.notes[0]).toMatch(/^fanotify could not be used .*: \/proc is sampled every 25 ms/);
    const judged = judgeProvenance([model], result, service.child.pid!, path.join(tmp, 'workspace'));
    expect(judged.record.files[0]).toMatchObject({ mapped: true, openedBy: [{ pid: service.child.pid, command: expect.stringContaining('python3') }] });
  });

  it('a copy with the model’s name outside the workspace fails the proof, named', async () => {
    const watch = watchModelFiles([model], { homes: [path.join(tmp, 'home')] });
    await watch.ready();
    const service = python(`f = open(${JSON.stringify(elsewhere)}, "rb")`);
    watch.attach(service.child.pid!);
    await service.done;
    const result = await watch.finish();
    await end(service.child);
    const judged = judgeProvenance([model], result, service.child.pid!, path.join(tmp, 'workspace'));
    expect(judged.record.elsewhere.map((copy) => copy.path)).toEqual([elsewhere]);
    expect(judged.assertion.detail).toBe(`the service read ${elsewhere}, not the restored models/large-v3.pt (pid ${service.child.pid}, ${judged.record.elsewhere[0]!.command})`);
  });

  it('no model file in the backup: the proof could not be made, which is inconclusive, not passed', async () => {
    const watch = watchModelFiles([]);
    await watch.ready();
    const result = await watch.finish();
    expect(judgeProvenance([], result, 1, tmp).assertion).toMatchObject({ passed: false, inconclusive: true });
  });
});
