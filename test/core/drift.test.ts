/** The lock of a snapshot and this node's drift from it: classification, severities from the plan, merge across steps. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithLock, versionChange } from '../../src/core/drift/compare.js';
import { formatLock, measuredEnvironment, parseLock, type EnvironmentLock } from '../../src/model/environment-lock.js';
import { describeDrift } from '../../src/model/drift-text.js';
import { driftFromLock, mergeDrift } from '../../src/core/drift/report.js';
import { drift as driftSchema, DEFAULT_DRIFT } from '../../src/plan/schema-drift.js';
import { repoRoot } from '../helpers/cli.js';

const sampleLock = async (name: string): Promise<EnvironmentLock> => {
  const parsed = parseLock(await readFile(path.join(repoRoot, 'fixtures', 'sample-locks', name), 'utf8'));
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.lock;
};

/** This machine kind as the probes report it: Debian 12, no GPU, an empty venv. */
const buildMachineFacts = {
  os: { ok: true, name: 'Debian GNU/Linux 12 (bookworm)', hostname: 'vm', kernel: '6.1.0', arch: 'x64' },
  python: { ok: true, command: 'python3', version: '3.11.2' },
  nvidia: { ok: false, reason: 'missing', message: 'nvidia-smi not found' },
  ffmpeg: { ok: true, version: '5.1.9', rawVersion: '5.1.9-0+deb12u1', decoders: 500, decodersPresent: ['pcm_s16le'] },
  pip: { ok: true, packages: [] },
};

describe('the environment lock', () => {
  it('records what was measured; null for measured as absent; nothing for what was not measured', () => {
    const measured = measuredEnvironment({ ...buildMachineFacts, torch: { ok: false, reason: 'failed', message: 'timed out' } });
    expect(measured).toEqual({ host: 'vm', os: 'Debian GNU/Linux 12 (bookworm)', python: '3.11.2', nvidia: null, ffmpeg: { version: '5.1.9', decoders: ['pcm_s16le'] }, packages: [] });
    const text = formatLock(measured, new Date('2026-06-01T00:00:00Z'), 'whisper-drill 0.1.0');
    expect(text).toMatch(/^# The environment this snapshot was verified on/);
    expect(parseLock(text)).toEqual({ lock: { lockVersion: 1, recordedAt: '2026-06-01T00:00:00.000Z', recordedBy: 'whisper-drill 0.1.0', ...measured } });
  });

  it('names what is wrong with a lock it cannot read', () => {
    expect(parseLock('lockVersion: 2\nrecordedAt: x\nrecordedBy: y\n')).toEqual({ problem: 'environment.lock.yaml: lockVersion: Invalid input: expected 1' });
    expect(parseLock('a: [')).toMatchObject({ problem: expect.stringMatching(/^environment\.lock\.yaml is not YAML/) });
  });
});

describe('drift from a lock', () => {
  it('classifies version changes by their first differing part', () => {
    expect(versionChange('2.3.1+cu121', '3.0.0')).toBe('major');
    expect(versionChange('3.10.12', '3.11.2')).toBe('minor');
    expect(versionChange('2.3.1+cu121', '2.3.1+cpu')).toBe('patch');
  });

  it('lists every difference from the GPU node\'s lock with the default severities, and what was not measured', async () => {
    const { items, compared, notCompared } = compareWithLock(await sampleLock('v1.3-signed-release.yaml'), measuredEnvironment(buildMachineFacts), DEFAULT_DRIFT);
    expect(items.map((i) => `${i.key}: ${i.recorded ?? 'none'} → ${i.current ?? 'none'} ${i.change} ${i.severity}`)).toEqual([
      'os: Ubuntu 22.04.4 LTS → Debian GNU/Linux 12 (bookworm) changed warn',
      'gpu: NVIDIA A100-SXM4-40GB, NVIDIA A100-SXM4-40GB → none missing warn',
      'python: 3.10.12 → 3.11.2 minor warn',
      'driver: 550.54.15 → none missing warn',
      'driverCuda: 12.4 → none missing warn',
      'ffmpeg: 4.4.2 → 5.1.9 major warn',
      'package:gradio: 4.44.1 → none missing warn',
      'package:numpy: 1.26.4 → none missing warn',
      'package:openai-whisper: 20231117 → none missing warn',
      'package:torch: 2.3.1+cu121 → none missing warn',
    ]);
    expect(compared).toEqual(['OS', 'GPUs', 'Python', 'NVIDIA driver', "driver's CUDA", 'FFmpeg', 'packages (pip freeze)']);
    expect(notCompared).toEqual(['PyTorch', "torch's CUDA", 'cuDNN']);
  });

  it('takes the severities from the plan: a torch or CUDA major change fails, ignore leaves a difference out', async () => {
    const lock = await sampleLock('v1.3-signed-release.yaml');
    const gpuNode = { torch: { ok: true, version: '3.0.0+cu128', cuda: '12.8', cudnn: '9.8.0' }, pip: { ok: true, packages: ['torch==3.0.0+cu128'] } };
    const plan = driftSchema.parse({ packages: { missing: 'ignore' }, cudnn: { major: 'info' } });
    const { items } = compareWithLock(lock, measuredEnvironment(gpuNode), plan, ['torch', 'cuda', 'cudnn', 'packages']);
    expect(items.map((i) => `${i.key} ${i.change} ${i.severity}`)).toEqual(['torch major fail', 'cuda minor warn', 'cudnn major info', 'package:torch major warn']);
  });

  it('a missing decoder fails by default; a tag without a lock has nothing to compare', async () => {
    const lock = await sampleLock('v1.2-config-tuned.yaml');
    const noDecoder = { ...buildMachineFacts, ffmpeg: { ...buildMachineFacts.ffmpeg, decodersPresent: [] } };
    expect(compareWithLock(lock, measuredEnvironment(noDecoder), DEFAULT_DRIFT).items).toContainEqual({ key: 'decoders', title: 'FFmpeg decoders', recorded: 'pcm_s16le', current: null, change: 'missing', severity: 'fail' });
    const none = driftFromLock('v1.0-model-large-v3', undefined, measuredEnvironment(buildMachineFacts), DEFAULT_DRIFT).report;
    expect(describeDrift(none)).toBe('v1.0-model-large-v3 has no environment.lock.yaml: nothing to compare');
  });

  it('merges the install step\'s comparison into the snapshot step\'s', async () => {
    const lockText = await readFile(path.join(repoRoot, 'fixtures', 'sample-locks', 'v1.3-signed-release.yaml'), 'utf8');
    const { report: host } = driftFromLock('v1.3', lockText, measuredEnvironment({ os: buildMachineFacts.os }), DEFAULT_DRIFT);
    const { report: venv } = driftFromLock('v1.3', lockText, measuredEnvironment({ torch: { ok: true, version: '2.3.1+cu121', cuda: '12.1', cudnn: '8.9.2' } }), DEFAULT_DRIFT);
    const merged = mergeDrift(host, { ...venv, items: venv.items.filter((i) => i.key.startsWith('torch')) });
    expect(merged.compared).toEqual(expect.arrayContaining(['OS', 'PyTorch', "torch's CUDA", 'cuDNN']));
    expect(merged.notCompared).not.toContain('PyTorch');
    expect(merged.notCompared).toContain('Python');
    expect(merged.items.map((i) => i.key)).toEqual(['os']);
  });
});
