/** "Restored model in use", judged from what the watch saw: each way it passes, fails or cannot say. */
import { describe, expect, it } from 'vitest';
import { judgeProvenance, modelFilesOf, PROVENANCE_ASSERTION } from '../../src/core/provenance.js';
import type { LfsFileRecord } from '../../src/model/record.js';
import type { Sighting, WatchResult } from '../../src/service/model-watch.js';

const WS = '/srv/ws';
const SHA = 'a'.repeat(64);
const file = (p: string, verified = true, size = 3_000_000_000): LfsFileRecord => ({ path: p, oid: SHA, size, verified } as LfsFileRecord);
const model = { path: 'models/large-v3.pt', absolute: `${WS}/models/large-v3.pt`, size: 3_000_000_000, sha256: SHA };
const watch = (sightings: Sighting[], method: WatchResult['method'] = 'fanotify'): WatchResult => ({ method, notes: [], sightings, samples: 0 });
/** `ancestry: 'sampled'`: seen by a /proc sample, which knows no ancestry. */
const seen = (path: string, pid = 100, ancestry: number[] | 'sampled' = [100, 99], via: Sighting['via'] = 'open'): Sighting => ({ pid, command: 'python3 app.py', path, via, ...(ancestry === 'sampled' ? {} : { ancestry }) });

describe('the restored model files', () => {
  it('are the verified LFS files the globs name (default: the usual weight formats), at their place in the workspace', () => {
    const files = [file('models/large-v3.pt'), file('models/tokenizer.json'), file('models/broken.pt', false), file('weights/x.safetensors')];
    expect(modelFilesOf(files, undefined, WS).map((m) => m.absolute)).toEqual([`${WS}/models/large-v3.pt`, `${WS}/weights/x.safetensors`]);
    expect(modelFilesOf(files, ['models/*.json'], WS)).toEqual([{ path: 'models/tokenizer.json', absolute: `${WS}/models/tokenizer.json`, size: 3_000_000_000, sha256: SHA }]);
  });
});

describe('judgeProvenance', () => {
  it('passes when the service\'s own process opened every restored model, and says who and how', () => {
    const { assertion, record } = judgeProvenance([model], watch([seen(model.absolute), seen(model.absolute, 101, [101, 100], 'map')]), 100, WS);
    expect(assertion).toMatchObject({ name: PROVENANCE_ASSERTION, api: 'provenance', passed: true, required: true, actual: 'models/large-v3.pt' });
    expect(assertion.inconclusive).toBeUndefined();
    expect(record).toEqual({ method: 'fanotify', notes: [], elsewhere: [], files: [{ path: 'models/large-v3.pt', sha256: SHA, size: 3_000_000_000, openedBy: [{ pid: 100, command: 'python3 app.py' }, { pid: 101, command: 'python3 app.py' }], mapped: true }] });
    expect(assertion.expected).toBe('the service opens every restored model file, and no other copy');
    expect(assertion.detail).toContain('opened by pid 100 (python3 app.py), pid 101 (python3 app.py), mapped');
  });

  it('counts a sampled sighting (no ancestry) as the service\'s, and ignores other processes\' opens', () => {
    const sampled = judgeProvenance([model], watch([seen(model.absolute, 7, 'sampled', 'fd')], 'proc-sampling'), 100, WS);
    expect(sampled.assertion.passed).toBe(true);
    expect(sampled.record.files[0]).toMatchObject({ openedBy: [{ pid: 7, command: 'python3 app.py' }], mapped: false });
    const other = judgeProvenance([model], watch([seen(model.absolute, 555, [555, 1])]), 100, WS);
    expect(other.assertion).toMatchObject({ passed: false, actual: '' });
    expect(other.assertion.detail).toBe('the service never opened the restored models/large-v3.pt (watched with fanotify): a cached copy, a download or a built-in model stood in, or the service does not need this file');
  });

  it('fails when the service read a copy outside the workspace, naming the copy and the restored file it stood in for', () => {
    const cache = '/root/.cache/whisper/large-v3.pt';
    const { assertion, record } = judgeProvenance([model], watch([seen(model.absolute), seen(cache), seen(cache)]), 100, WS);
    expect(assertion).toMatchObject({ passed: false, actual: cache });
    expect(assertion.detail).toBe(`the service read ${cache}, not the restored models/large-v3.pt (pid 100, python3 app.py)`);
    expect(record.elsewhere).toEqual([{ path: cache, pid: 100, command: 'python3 app.py' }]);
  });

  it('names, for a copy with another model\'s name, that model as the one it stood in for', () => {
    const encoder = { ...model, path: 'models/encoder.pt', absolute: `${WS}/models/encoder.pt` };
    const { assertion } = judgeProvenance([model, encoder], watch([seen(model.absolute), seen('/cache/encoder.pt')]), 100, WS);
    expect(assertion.detail).toBe('the service read /cache/encoder.pt, not the restored models/encoder.pt (pid 100, python3 app.py)');
    const unnamed = judgeProvenance([model, encoder], watch([seen('/cache/other.bin')]), 100, WS);
    expect(unnamed.assertion.detail).toBe('the service read /cache/other.bin, not the restored models/large-v3.pt (pid 100, python3 app.py)');
    expect(unnamed.record.files.map((f) => f.openedBy.length)).toEqual([0, 0]);
  });

  it('does not count a file inside the workspace that is not a model as a copy', () => {
    const { assertion, record } = judgeProvenance([model], watch([seen(model.absolute), seen(`${WS}/models/other.pt`)]), 100, WS);
    expect(assertion.passed).toBe(true);
    expect(record.elsewhere).toEqual([]);
  });

  it('fails naming only the unopened file when one of two was opened', () => {
    const second = { ...model, path: 'models/encoder.pt', absolute: `${WS}/models/encoder.pt` };
    const { assertion } = judgeProvenance([model, second], watch([seen(model.absolute)]), 100, WS);
    expect(assertion).toMatchObject({ passed: false, actual: 'models/large-v3.pt' });
    expect(assertion.detail).toMatch(/^the service never opened the restored models\/encoder\.pt \(watched with fanotify\)/);
  });

  it('cannot say (inconclusive, not passed) when the backup holds no model file', () => {
    const { assertion } = judgeProvenance([], watch([seen('/anything.pt')]), 100, WS);
    expect(assertion).toMatchObject({ passed: false, inconclusive: true, actual: '', detail: 'the backup holds no model file that service.models names: nothing shows the service ran restored weights' });
    expect(PROVENANCE_ASSERTION).toBe('restored model in use');
  });
});
