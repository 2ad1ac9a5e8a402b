/** Drift severity, rule by rule: each kind of difference, its class and the severity the plan gives it. */
import { describe, expect, it } from 'vitest';
import { compareWithLock, versionChange } from '../../src/core/drift/compare.js';
import { driftFromLock, mergeDrift } from '../../src/core/drift/report.js';
import type { EnvironmentLock, MeasuredEnvironment } from '../../src/model/environment-lock.js';
import { DEFAULT_DRIFT, drift } from '../../src/plan/schema-drift.js';

const lock = (more: Partial<EnvironmentLock>): EnvironmentLock => ({ lockVersion: 1, recordedAt: '2026-05-04T00:00:00Z', recordedBy: 'whisper-drill 0.1.0', ...more });
const items = (recorded: Partial<EnvironmentLock>, here: MeasuredEnvironment, plan = DEFAULT_DRIFT) => compareWithLock(lock(recorded), here, plan);

describe('drift from a snapshot\'s lock', () => {
  it('classes a version change by its first differing part', () => {
    expect(versionChange('2.3.1', '3.0.0')).toBe('major');
    expect(versionChange('2.3.1', '2.4.1')).toBe('minor');
    expect(versionChange('2.3.1', '2.3.2')).toBe('patch');
    expect(versionChange('2.3.1', '2.3.1+cu121')).toBe('patch');
  });

  it('gives torch\'s changes their severities: major fails, minor warns, missing fails, added is info', () => {
    const torch = (version: string) => ({ torch: { version, cuda: '12.1', cudnn: '8.9.2' } });
    expect(items(torch('2.3.1'), torch('3.0.0')).items).toEqual([{ key: 'torch', title: 'PyTorch', recorded: '2.3.1', current: '3.0.0', change: 'major', severity: 'fail' }]);
    expect(items(torch('2.3.1'), torch('2.4.0')).items[0]).toMatchObject({ change: 'minor', severity: 'warn' });
    // torch gone from the venv: its version, CUDA and cuDNN are each missing.
    expect(items(torch('2.3.1'), { torch: null }).items.map((i) => [i.key, i.change, i.severity, i.current])).toEqual([['torch', 'missing', 'fail', null], ['cuda', 'missing', 'fail', null], ['cudnn', 'missing', 'fail', null]]);
    expect(items({ torch: null }, torch('2.3.1')).items.map((i) => [i.key, i.change, i.severity])).toEqual([['torch', 'added', 'info'], ['cuda', 'added', 'info'], ['cudnn', 'added', 'info']]);
    expect(items(torch('2.3.1'), torch('2.3.1'))).toEqual({ items: [], compared: ['PyTorch', "torch's CUDA", 'cuDNN'], notCompared: [] });
  });

  it('compares only what was measured on both sides, and lists what was recorded but not measured here', () => {
    const result = items({ python: '3.11.7', ffmpeg: { version: '5.1.4', decoders: [] }, os: 'Debian 12' }, { python: '3.11.7' });
    expect(result).toEqual({ items: [], compared: ['Python'], notCompared: ['OS', 'FFmpeg'] });
    expect(items({}, { python: '3.12.0', os: 'Debian 13' })).toEqual({ items: [], compared: [], notCompared: [] });
  });

  it('tells a changed OS and GPU list, a driver gone, and a driver added', () => {
    const nvidia = { driver: '550.54.15', cuda: '12.4', gpus: ['NVIDIA A100-SXM4-40GB'] };
    const changed = items({ os: 'Debian 12', nvidia }, { os: 'Debian 13', nvidia: { ...nvidia, gpus: ['NVIDIA A100-SXM4-40GB', 'NVIDIA A100-SXM4-40GB'] } });
    expect(changed.items.map((i) => [i.key, i.change, i.severity])).toEqual([['os', 'changed', 'warn'], ['gpu', 'changed', 'warn']]);
    expect(items({ nvidia }, { nvidia: null }).items.map((i) => [i.key, i.change, i.current])).toEqual([['gpu', 'missing', null], ['driver', 'missing', null], ['driverCuda', 'missing', null]]);
    expect(items({ nvidia: null }, { nvidia }).items.map((i) => [i.key, i.change, i.recorded])).toEqual([['gpu', 'added', null], ['driver', 'added', null], ['driverCuda', 'added', null]]);
    expect(items({ nvidia: { ...nvidia, gpus: [] } }, { nvidia: { ...nvidia, gpus: [] } }).items).toEqual([]);
  });

  it('fails an FFmpeg decoder recorded with the snapshot and missing here, and only then', () => {
    const result = items({ ffmpeg: { version: '5.1.4', decoders: ['pcm_s16le', 'mp3'] } }, { ffmpeg: { version: '5.1.4', decoders: ['pcm_s16le'] } });
    expect(result.items).toEqual([{ key: 'decoders', title: 'FFmpeg decoders', recorded: 'pcm_s16le, mp3', current: 'pcm_s16le', change: 'missing', severity: 'fail' }]);
    expect(items({ ffmpeg: { version: '5.1.4', decoders: ['mp3'] } }, { ffmpeg: { version: '5.1.4', decoders: [] } }).items[0]).toMatchObject({ key: 'decoders', current: null });
    expect(items({ ffmpeg: { version: '5.1.4', decoders: ['mp3'] } }, { ffmpeg: { version: '5.1.4', decoders: ['mp3', 'aac'] } }).items).toEqual([]);
    expect(items({ ffmpeg: { version: '5.1.4', decoders: ['mp3'] } }, {}).items).toEqual([]);
  });

  it('compares packages by name whatever their case and spacing, each with the packages severities; none recorded is an empty venv', () => {
    const result = items({ packages: ['Torch==2.3.1', 'numpy == 1.26.4', 'old-pkg==1.0', 'whisper @ file:///w'] }, { packages: ['torch==2.3.2', 'numpy==1.26.4', 'whisper @ file:///w', 'new-pkg==0.1'] });
    expect(result.items.map((i) => [i.title, i.change, i.severity])).toEqual([['new-pkg', 'added', 'info'], ['old-pkg', 'missing', 'warn'], ['torch', 'patch', 'info']]);
    expect(result.compared).toEqual(['packages (pip freeze)']);
    expect(items({ packages: null }, { packages: ['a==1'] }).items.map((i) => i.change)).toEqual(['added']);
    expect(items({ packages: ['a==1'] }, {}).notCompared).toEqual(['packages (pip freeze)']);
  });

  it('leaves out what the plan ignores, and a step compares only its own keys', () => {
    const plan = drift.parse({ os: 'ignore', torch: { major: 'ignore' } });
    expect(compareWithLock(lock({ os: 'Debian 12', torch: { version: '2.3.1', cuda: null, cudnn: null } }), { os: 'Debian 13', torch: { version: '3.0.0', cuda: null, cudnn: null } }, plan).items).toEqual([]);
    const only = compareWithLock(lock({ os: 'Debian 12', python: '3.11.7', packages: ['a==1'], ffmpeg: { version: '5', decoders: ['mp3'] } }), { os: 'Debian 13', python: '3.12.1', packages: ['a==2'], ffmpeg: { version: '5', decoders: [] } }, DEFAULT_DRIFT, ['python']);
    expect(only).toEqual({ items: [{ key: 'python', title: 'Python', recorded: '3.11.7', current: '3.12.1', change: 'minor', severity: 'warn' }], compared: ['Python'], notCompared: [] });
  });
});

describe('the drift report', () => {
  it('says when the tag has no lock, or a lock that cannot be read, and compares one that can', () => {
    expect(driftFromLock('v1', undefined, {}, DEFAULT_DRIFT)).toEqual({ report: { tag: 'v1', items: [], compared: [], notCompared: [], lockFound: false } });
    const broken = driftFromLock('v1', 'lockVersion: 7\n', {}, DEFAULT_DRIFT);
    expect(broken.report).toMatchObject({ tag: 'v1', lockFound: true, items: [], compared: [], notCompared: [] });
    expect(broken.report.problem).toBeTruthy();
    expect(broken.lock).toBeUndefined();
    const good = driftFromLock('v1', 'lockVersion: 1\nrecordedAt: "2026-05-04T00:00:00Z"\nrecordedBy: x\nhost: build-01\npython: "3.11.7"\n', { python: '3.12.0' }, DEFAULT_DRIFT);
    expect(good.report).toMatchObject({ tag: 'v1', lockFound: true, recordedAt: '2026-05-04T00:00:00Z', recordedOn: 'build-01', items: [{ key: 'python', change: 'minor' }], compared: ['Python'] });
    expect(good.lock).toMatchObject({ python: '3.11.7' });
    expect(driftFromLock('v1', 'lockVersion: 1\nrecordedAt: "x"\nrecordedBy: y\n', {}, DEFAULT_DRIFT).report).not.toHaveProperty('recordedOn');
  });

  it('merges a later step\'s comparison into the earlier one: its items replace theirs by key; compared wins over not compared', () => {
    const earlier = { tag: 'v1', lockFound: true, items: [{ key: 'os', title: 'OS', recorded: 'a', current: 'b', change: 'changed' as const, severity: 'warn' as const }, { key: 'torch', title: 'PyTorch', recorded: '1', current: null, change: 'missing' as const, severity: 'fail' as const }], compared: ['OS'], notCompared: ['PyTorch', 'packages (pip freeze)'] };
    const later = { tag: 'v1', lockFound: true, items: [{ key: 'torch', title: 'PyTorch', recorded: '1', current: '2', change: 'major' as const, severity: 'fail' as const }], compared: ['PyTorch'], notCompared: ['packages (pip freeze)'] };
    expect(mergeDrift(undefined, later)).toBe(later);
    expect(mergeDrift(earlier, later)).toEqual({ tag: 'v1', lockFound: true, items: [earlier.items[0], later.items[0]], compared: ['OS', 'PyTorch'], notCompared: ['packages (pip freeze)'] });
  });
});
