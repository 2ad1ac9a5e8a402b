/** Readers for the environment, service and assertions sections of a plan. */
import { isMap, isScalar } from 'yaml';
import { describe, readNumber, readStringMap, Section, type StringRule } from './fields.js';
import { DEFAULTS, isEnvName, isHttpUrl, isVersionRange, PLAN_KEYS, TRANSCRIPTION_APIS } from './rules.js';
import type { Assertion, EnvironmentPlan, ExpectedTranscript, ServicePlan, TranscriptionApi } from './types.js';

const range: StringRule = { check: isVersionRange, what: 'a version range such as ">=3.9" or ">=2.1,<3"' };
const text: StringRule = { nonEmpty: true };
const seconds = { exclusiveMin: true, min: 0 } as const;

/** Drops keys whose value is undefined, so optional fields are absent rather than present-and-undefined. */
export function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export function readEnvironment(top: Section): EnvironmentPlan {
  const env = top.section('environment', PLAN_KEYS.environment);
  if (!env) return { ports: [...DEFAULTS.ports] };
  const python = env.section('python', PLAN_KEYS['environment.python']);
  const nvidia = env.section('nvidia', PLAN_KEYS['environment.nvidia']);
  const torch = env.section('torch', PLAN_KEYS['environment.torch']);
  const ffmpeg = env.section('ffmpeg', PLAN_KEYS['environment.ffmpeg']);
  const disk = env.section('disk', PLAN_KEYS['environment.disk']);
  return compact({
    python:
      python &&
      compact({ command: python.string('command', text) ?? DEFAULTS.pythonCommand, version: python.string('version', range) }),
    nvidia:
      nvidia &&
      compact({
        required: nvidia.boolean('required') ?? DEFAULTS.required,
        cuda: nvidia.string('cuda', range),
        minFreeMiB: nvidia.number('minFreeMiB', { min: 0 }),
      }),
    torch:
      torch &&
      compact({
        required: torch.boolean('required') ?? DEFAULTS.required,
        version: torch.string('version', range),
        cuda: torch.boolean('cuda'),
        python: torch.string('python', text),
      }),
    ffmpeg: ffmpeg && {
      required: ffmpeg.boolean('required') ?? DEFAULTS.required,
      decoders: ffmpeg.strings('decoders', text) ?? [...DEFAULTS.decoders],
    },
    disk: disk && { minFreeGiB: readDiskGiB(disk) ?? 'auto' },
    ports: readPorts(env) ?? [...DEFAULTS.ports],
  });
}

function readDiskGiB(disk: Section): number | 'auto' | undefined {
  const node = disk.ctx.deref(disk.raw('minFreeGiB', true));
  if (node === undefined) return undefined;
  if (isScalar(node) && node.value === 'auto') return 'auto';
  if (isScalar(node) && typeof node.value === 'number') return readNumber(disk.ctx, node, disk.key('minFreeGiB'), { min: 0 });
  disk.ctx.add(node, disk.key('minFreeGiB'), `expected a number of GiB or "auto", got ${describe(node)}`);
  return undefined;
}

function readPorts(env: Section): number[] | undefined {
  const items = env.list('ports');
  if (!items) return undefined;
  const ports: number[] = [];
  for (const item of items) {
    const port = readNumber(env.ctx, item.node, item.key, { integer: true, min: 1, max: 65535 });
    if (port === undefined) continue;
    if (ports.includes(port)) env.ctx.add(env.ctx.deref(item.node), item.key, `duplicate port ${port}`);
    else ports.push(port);
  }
  return ports;
}

export function readService(top: Section): ServicePlan | undefined {
  const s = top.section('service', PLAN_KEYS.service, true);
  if (!s) return undefined;
  const ready = s.section('ready', PLAN_KEYS['service.ready']);
  const envRaw = s.raw('env');
  return compact({
    start: s.string('start', { required: true, nonEmpty: true })!,
    url: s.string('url', { required: true, check: isHttpUrl, what: 'an http(s) URL such as "http://127.0.0.1:7860"' })!,
    ready: {
      path: ready?.string('path', { check: (p) => p.startsWith('/'), what: 'a URL path starting with "/"' }) ?? DEFAULTS.readyPath,
      timeoutSec: ready?.number('timeoutSec', seconds) ?? DEFAULTS.readyTimeoutSec,
    },
    stopTimeoutSec: s.number('stopTimeoutSec', { min: 0 }) ?? DEFAULTS.stopTimeoutSec,
    env:
      envRaw === undefined
        ? undefined
        : readStringMap(s.ctx, envRaw, s.key('env'), isEnvName, 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)'),
  });
}

export function readAssertions(top: Section): Assertion[] {
  const items = top.list('assertions') ?? [];
  const seen = new Map<string, string>();
  const result: Assertion[] = [];
  for (const item of items) {
    const assertion = readAssertion(top, item.node, item.key);
    if (assertion) result.push(assertion);
    const node = top.ctx.deref(item.node);
    const nameNode = isMap(node) ? node.get('name', true) : undefined;
    if (!isScalar(nameNode) || typeof nameNode.value !== 'string') continue;
    const other = seen.get(nameNode.value);
    if (other) top.ctx.add(nameNode, `${item.key}.name`, `duplicate assertion name (also ${other})`);
    else seen.set(nameNode.value, item.key);
  }
  return result;
}

function readAssertion(top: Section, raw: unknown, key: string): Assertion | undefined {
  const node = top.ctx.deref(raw);
  if (isMap(node) && node.has('gpuMemoryMiB')) {
    const s = Section.of(top.ctx, node, key, PLAN_KEYS['assertions[]:gpu-memory'])!;
    const name = s.string('name', { required: true, nonEmpty: true });
    const required = s.boolean('required') ?? DEFAULTS.required;
    const mem = s.section('gpuMemoryMiB', PLAN_KEYS['assertions[].gpuMemoryMiB'], true);
    if (!mem || name === undefined) return undefined;
    const min = mem.number('min', { min: 0 });
    const max = mem.number('max', { min: 0 });
    if (!mem.has('min') && !mem.has('max')) mem.missing('min', 'needs "min", "max" or both');
    if (min !== undefined && max !== undefined && min > max) {
      mem.ctx.add(mem.raw('max'), mem.key('max'), `must be at least min (${min}), got ${max}`);
    }
    return { kind: 'gpu-memory', name, gpuMemoryMiB: compact({ min, max }), required };
  }
  const s = Section.of(top.ctx, node, key, PLAN_KEYS['assertions[]'], ['gpuMemoryMiB']);
  if (!s) return undefined;
  const name = s.string('name', { required: true, nonEmpty: true });
  const api = s.string('api', {
    required: true,
    check: (a) => (TRANSCRIPTION_APIS as readonly string[]).includes(a),
    what: `one of ${TRANSCRIPTION_APIS.join(', ')}`,
  }) as TranscriptionApi | undefined;
  const audio = s.string('audio', { required: true, nonEmpty: true });
  const command = s.string('command', text);
  if (api === 'command' && !s.has('command')) s.missing('command', 'required when api is command');
  if (api !== undefined && api !== 'command' && command !== undefined) {
    s.ctx.add(s.raw('command'), s.key('command'), `only used with api: command (this assertion uses api: ${api})`);
  }
  const language = s.string('language', text);
  const endpoint = s.string('endpoint', text);
  const required = s.boolean('required') ?? DEFAULTS.required;
  const expect = readExpect(s);
  if (name === undefined || api === undefined || audio === undefined || !expect) return undefined;
  return compact({ kind: 'transcription' as const, name, api, audio, language, expect, endpoint, command, required });
}

function readExpect(s: Section): ExpectedTranscript | undefined {
  const e = s.section('expect', PLAN_KEYS['assertions[].expect'], true);
  if (!e) return undefined;
  const contains = e.string('contains', text);
  const maxCER = e.number('maxCER', { min: 0, max: 1 });
  const empty = e.boolean('empty');
  if (!e.has('contains') && !e.has('empty')) {
    e.ctx.add(e.node, e.path, 'needs "contains" (the expected text) or "empty: true" (silence control)');
  } else if (!e.has('contains') && empty === false) {
    e.ctx.add(e.raw('empty'), e.key('empty'), 'empty: false checks nothing; add "contains" or set empty: true');
  }
  if (empty === true && e.has('contains')) e.ctx.add(e.raw('empty'), e.key('empty'), 'cannot be combined with "contains"');
  if (e.has('maxCER') && !e.has('contains')) e.ctx.add(e.raw('maxCER'), e.key('maxCER'), 'needs "contains" (the reference text)');
  return compact({ contains, maxCER, empty });
}
