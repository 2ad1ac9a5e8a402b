import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeBytes, probeDisk } from '../src/probes/disk.js';
import { missingDecoders, parseDecoders, parseFfmpegVersion, probeFfmpeg } from '../src/probes/ffmpeg.js';
import { isPortFree, probePort } from '../src/probes/ports.js';
import { parseOsRelease } from '../src/probes/os-release.js';
import { parsePipFreeze } from '../src/probes/pip.js';
import { parsePythonVersion, probePython } from '../src/probes/python.js';
import { parseGitLfsVersion, parseGitVersion, probeGit, probeGitLfs } from '../src/probes/tools.js';
import { archSupport, formatCudnnVersion, parseTorchProbe, probeTorch, type TorchFacts } from '../src/probes/torch.js';
import { compareVersions, isValidRange, parseVersion, satisfies } from '../src/model/version-range.js';
import { makeFakeBin, withPath } from './helpers/fake-bin.js';

const recorded = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'recorded', name);
const read = (name: string) => readFile(recorded(name), 'utf8');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'whisper-drill-probes-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function binDir(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

describe('version ranges', () => {
  it('compares dotted versions with missing components as 0 and ignores suffixes', () => {
    expect(parseVersion('2.1.0+cu121')).toEqual([2, 1, 0]);
    expect(parseVersion('5.1.9-0+deb12u1')).toEqual([5, 1, 9]);
    expect(parseVersion('v1.2')).toEqual([1, 2]);
    expect(parseVersion('unknown')).toBeUndefined();
    expect(compareVersions([12, 1], [12, 1, 0])).toBe(0);
    expect(compareVersions([3, 10], [3, 9])).toBe(1);
  });

  it('checks ranges', () => {
    expect(satisfies('3.11.7', '>=3.9')).toBe(true);
    expect(satisfies('3.8.18', '>=3.9')).toBe(false);
    expect(satisfies('3.10', '>=3.9')).toBe(true);
    expect(satisfies('2.3.1+cu121', '>=2.1,<3')).toBe(true);
    expect(satisfies('3.0.0', '>=2.1, <3')).toBe(false);
    expect(satisfies('12.1', '12.1')).toBe(true);
    expect(satisfies('12.1.0', '=12.1')).toBe(true);
    expect(satisfies('12.4', '12.1')).toBe(false);
    expect(satisfies('5.1.9-0+deb12u1', '>=5')).toBe(true);
    expect(satisfies('12.4', '!=12.4')).toBe(false);
    expect(satisfies('garbage', '>=1')).toBe(false);
  });

  it('rejects ranges it cannot read', () => {
    expect(isValidRange('>=3.9')).toBe(true);
    expect(isValidRange('^3.9')).toBe(false);
    expect(isValidRange('')).toBe(false);
    expect(() => satisfies('3.9', '>=3.9,')).toThrow(/invalid version range/);
  });
});

describe('ffmpeg', () => {
  it('parses the recorded version and decoders', async () => {
    expect(parseFfmpegVersion(await read('ffmpeg-version.txt'))).toEqual({ version: '5.1.9', rawVersion: '5.1.9-0+deb12u1' });
    expect(parseFfmpegVersion('ffmpeg version n6.1.1 Copyright')).toEqual({ version: '6.1.1', rawVersion: 'n6.1.1' });
    const decoders = parseDecoders(await read('ffmpeg-decoders.txt'));
    expect(decoders.find((d) => d.name === 'pcm_s16le')).toEqual({
      kind: 'audio', name: 'pcm_s16le', description: 'PCM signed 16-bit little-endian',
    });
    expect(decoders.some((d) => d.name === '=' || d.name === 'Video')).toBe(false);
    expect(missingDecoders(decoders, ['pcm_s16le', 'mp3', 'no_such_codec'])).toEqual(['no_such_codec']);
  });

  it('probes the real ffmpeg on this machine', async () => {
    const facts = await probeFfmpeg();
    expect(facts.ok).toBe(true);
    if (!facts.ok) return;
    expect(facts.version).toMatch(/^\d+\.\d+/);
    expect(missingDecoders(facts.decoders, ['pcm_s16le'])).toEqual([]);
  });

  it('asks once: the version from the banner -decoders prints on stderr (the recorded one), the list from stdout', async () => {
    const dir = await binDir('ffmpeg-banner');
    const banner = await read('ffmpeg-version.txt');
    await makeFakeBin(dir, 'ffmpeg', { stdoutFile: recorded('ffmpeg-decoders.txt'), stderr: banner });
    const facts = await probeFfmpeg({ env: withPath(dir) });
    expect(facts).toMatchObject({ ok: true, version: '5.1.9', rawVersion: '5.1.9-0+deb12u1' });
    expect(facts.ok && facts.decoders.some((d) => d.name === 'pcm_s16le')).toBe(true);
    expect((await readFile(path.join(dir, 'ffmpeg.calls'), 'utf8')).trim().split('\n')).toEqual(['-decoders']);
  });

  it('asks -version as well when the banner says no version, and is unanswered when neither does', async () => {
    const dir = await binDir('ffmpeg-no-banner');
    await makeFakeBin(dir, 'ffmpeg', {
      stdoutFile: recorded('ffmpeg-decoders.txt'),
      cases: [{ argsInclude: '-version', stdout: 'ffmpeg version n6.1.1 Copyright (c) 2000-2023\n' }],
    });
    expect(await probeFfmpeg({ env: withPath(dir) })).toMatchObject({ ok: true, version: '6.1.1' });
    const silent = await binDir('ffmpeg-silent');
    await makeFakeBin(silent, 'ffmpeg', { stdoutFile: recorded('ffmpeg-decoders.txt') });
    expect(await probeFfmpeg({ env: withPath(silent) })).toMatchObject({ ok: false, reason: 'unanswered', message: expect.stringMatching(/printed no "ffmpeg version" line/) });
  });

  it('reports a missing ffmpeg', async () => {
    expect(await probeFfmpeg({ env: withPath(await binDir('empty'), '') })).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('python, git, git-lfs', () => {
  it('parses versions', () => {
    expect(parsePythonVersion('Python 3.11.7')).toBe('3.11.7');
    expect(parsePythonVersion('Python 3.13.0rc2')).toBe('3.13.0rc2');
    expect(parseGitVersion('git version 2.39.5')).toBe('2.39.5');
    expect(parseGitVersion('git version 2.39.3 (Apple Git-146)')).toBe('2.39.3');
    expect(parseGitLfsVersion('git-lfs/3.3.0 (GitHub; linux amd64; go 1.19.8)')).toBe('3.3.0');
  });

  it('probes the real python3, git and git-lfs', async () => {
    const [python, git, lfs] = await Promise.all([probePython(), probeGit(), probeGitLfs()]);
    expect(python).toMatchObject({ ok: true, command: 'python3', version: expect.stringMatching(/^3\.\d+\.\d+/) });
    expect(git).toMatchObject({ ok: true, version: expect.stringMatching(/^2\.\d+/) });
    expect(lfs).toMatchObject({ ok: true, version: expect.stringMatching(/^3\.\d+/) });
  });

  it('reads a version printed on stderr', async () => {
    const dir = await binDir('python2');
    await makeFakeBin(dir, 'python', { stderr: 'Python 2.7.18\n' });
    expect(await probePython('python', { env: withPath(dir) })).toEqual({ ok: true, command: 'python', version: '2.7.18' });
  });

  it('treats a pyenv shim without that version (exit 127) and an absent command as missing', async () => {
    const dir = await binDir('pyenv');
    await makeFakeBin(dir, 'python3.9', { stderr: 'pyenv: python3.9: command not found\n', exitCode: 127 });
    expect(await probePython('python3.9', { env: withPath(dir) })).toMatchObject({ ok: false, reason: 'missing' });
    expect(await probePython('no-such-python')).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('reports git without the lfs subcommand as git-lfs missing', async () => {
    const dir = await binDir('git-without-lfs');
    await makeFakeBin(dir, 'git', {
      stdout: 'git version 2.39.5\n',
      cases: [{ argsInclude: 'lfs', stderr: "git: 'lfs' is not a git command. See 'git --help'.\n", exitCode: 1 }],
    });
    const env = withPath(dir);
    expect(await probeGit({ env })).toEqual({ ok: true, version: '2.39.5' });
    expect(await probeGitLfs({ env })).toEqual({
      ok: false, reason: 'missing', message: "git-lfs not installed: git: 'lfs' is not a git command",
    });
    expect(await probeGit({ env: withPath(await binDir('empty'), '') })).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('torch', () => {
  const cudaFacts = async (): Promise<TorchFacts> => {
    const facts = parseTorchProbe(await read('torch-probe-cuda.json'));
    if (!facts.ok) throw new Error(facts.message);
    return facts;
  };

  it('parses the recorded CUDA and CPU probes', async () => {
    expect(await cudaFacts()).toMatchObject({
      version: '2.3.1+cu121', cuda: '12.1', cudnn: '8.9.2', cudaAvailable: true,
      devices: [{ index: 0, name: 'NVIDIA A100-SXM4-40GB', capability: '8.0' }, { index: 1 }],
    });
    expect(parseTorchProbe(await read('torch-probe-cpu.json'))).toMatchObject({ ok: true, cuda: null, cudnn: null, devices: [] });
    expect(parseTorchProbe('{"error":"torch not installed"}')).toMatchObject({ ok: false, reason: 'missing' });
    // Unreadable output is no answer (inconclusive); torch's own error, reported in the JSON, is a failure.
    expect(parseTorchProbe('Traceback ...')).toMatchObject({ ok: false, reason: 'unanswered' });
    expect(parseTorchProbe('{"torch": null}')).toMatchObject({ ok: false, reason: 'unanswered' });
    expect(parseTorchProbe('{"error":"libcudart.so.12: cannot open shared object file"}')).toMatchObject({ ok: false, reason: 'failed' });
    expect(formatCudnnVersion(90100)).toBe('9.1.0');
  });

  it('matches capabilities to arch-list entries', () => {
    const cu121 = ['sm_50', 'sm_60', 'sm_70', 'sm_75', 'sm_80', 'sm_86', 'sm_90'];
    expect(archSupport('8.6', cu121)).toEqual({ support: 'native', via: 'sm_86' });
    expect(archSupport('8.9', cu121)).toEqual({ support: 'binary-compatible', via: 'sm_86' });
    expect(archSupport('12.0', cu121)).toEqual({ support: 'unsupported' });
    expect(archSupport('12.0', [...cu121, 'compute_90'])).toEqual({ support: 'ptx', via: 'compute_90' });
    expect(archSupport('8.0', ['compute_86'])).toEqual({ support: 'unsupported' });
    expect(archSupport('9.0', ['sm_90a'])).toEqual({ support: 'native', via: 'sm_90a' });
    expect(archSupport('12.0', ['sm_100', 'sm_120'])).toEqual({ support: 'native', via: 'sm_120' });
  });

  it('runs the probe script with the real python3: torch absent', async () => {
    const site = await binDir('no-torch');
    await mkdir(path.join(site, 'torch'), { recursive: true });
    await writeFile(path.join(site, 'torch', '__init__.py'), 'raise ImportError("No module named \'torch\'")\n');
    expect(await probeTorch('python3', { env: { PYTHONPATH: site } })).toEqual({
      ok: false, reason: 'missing', message: "torch not installed (No module named 'torch')",
    });
  });

  it('runs the probe script with the real python3 against a stand-in torch module', async () => {
    const site = await binDir('fake-site');
    await mkdir(path.join(site, 'torch'), { recursive: true });
    await writeFile(path.join(site, 'torch', '__init__.py'), [
      'print("torch banner on stdout")',
      '__version__ = "2.3.1+cu121"',
      'class version:',
      '    cuda = "12.1"',
      'class backends:',
      '    class cudnn:',
      '        version = staticmethod(lambda: 8902)',
      'class cuda:',
      '    is_available = staticmethod(lambda: True)',
      '    get_arch_list = staticmethod(lambda: ["sm_80", "sm_86"])',
      '    device_count = staticmethod(lambda: 1)',
      '    get_device_name = staticmethod(lambda i: "NVIDIA GeForce RTX 3090")',
      '    get_device_capability = staticmethod(lambda i: (8, 6))',
      '    mem_get_info = staticmethod(lambda i: (20000000000, 25438126080))',
      '',
    ].join('\n'));
    const facts = await probeTorch('python3', { env: { PYTHONPATH: site } });
    expect(facts).toEqual({
      ok: true, version: '2.3.1+cu121', cuda: '12.1', cudnn: '8.9.2', cudaAvailable: true, archList: ['sm_80', 'sm_86'],
      devices: [{ index: 0, name: 'NVIDIA GeForce RTX 3090', capability: '8.6', freeBytes: 20000000000, totalBytes: 25438126080 }],
    });
  });

  it('reports a missing python as missing', async () => {
    expect(await probeTorch('no-such-python')).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('disk', () => {
  it('measures the nearest existing parent of a path that does not exist yet', async () => {
    const facts = await probeDisk(path.join(tmp, 'not', 'yet', 'there'));
    expect(facts).toMatchObject({ ok: true, checkedPath: tmp });
    expect(facts.ok && facts.freeBytes).toBeGreaterThan(0);
    expect(await freeBytes(tmp)).toBeGreaterThan(0);
  });
});

describe('ports', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen({ port: 0, host: '0.0.0.0' }, done));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('counts a port bound on 0.0.0.0 as busy for 127.0.0.1 and names the holder', async () => {
    expect(await isPortFree(port)).toBe(false);
    const status = await probePort(port);
    expect(status).toMatchObject({ port, host: '127.0.0.1', free: false, conflict: expect.stringContaining('address already in use') });
    if (process.platform === 'linux') expect(status.holder?.pid).toBe(process.pid);
  });

  it('finds a free port free', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen({ port: 0, host: '127.0.0.1' }, done));
    const freePort = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    expect(await probePort(freePort)).toEqual({ port: freePort, host: '127.0.0.1', free: true });
  });
});

describe('os-release and pip freeze', () => {
  it('reads PRETTY_NAME, quoted or not, and falls back to NAME and VERSION_ID', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease('NAME=Alpine\nVERSION_ID=3.20.1\n')).toBe('Alpine 3.20.1');
    expect(parseOsRelease('ID=x\n')).toBeUndefined();
  });

  it('keeps every requirement line of pip freeze, sorted, without comments', () => {
    expect(parsePipFreeze('torch==2.13.0+cpu\n# Editable install\n-e git+https://x/y.git@abc#egg=y\nfilelock==4.0.8\n\n')).toEqual(['-e git+https://x/y.git@abc#egg=y', 'filelock==4.0.8', 'torch==2.13.0+cpu']);
  });
});
