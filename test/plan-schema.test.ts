/**
 * drills/plan.schema.json (for editors) and the plan loader must describe the same format:
 * same keys per mapping, same patterns and defaults, and the same verdict on a table of plans.
 * The schema is checked with the small draft 2020-12 subset validator below, which refuses
 * any keyword it does not implement.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parsePlan } from '../src/core/plan/load.js';
import { DEFAULTS, ENV_NAME_PATTERN, NAME_PATTERN, PLAN_KEYS, TRANSCRIPTION_APIS, VERSION_RANGE_PATTERN } from '../src/core/plan/rules.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const drills = path.resolve(import.meta.dirname, '..', 'drills');
const schema = JSON.parse(readFileSync(path.join(drills, 'plan.schema.json'), 'utf8')) as Schema;

const ANNOTATIONS = new Set(['$schema', '$defs', 'title', 'description', 'default', 'format']);
const ASSERTIONS = new Set([
  '$ref', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'dependentRequired',
  'items', 'uniqueItems', 'enum', 'const', 'pattern', 'minLength', 'minimum', 'maximum', 'exclusiveMinimum',
  'anyOf', 'not', 'if', 'then', 'else',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'null': return v === null;
    default: return typeof v === type;
  }
}

/** Returns the validation errors of `v` against `s` (empty when valid). */
function validate(s: Json, v: unknown, at = '$'): string[] {
  if (s === true) return [];
  if (!isObject(s)) throw new Error(`${at}: not a schema`);
  for (const k of Object.keys(s)) {
    if (!ANNOTATIONS.has(k) && !ASSERTIONS.has(k)) throw new Error(`validator does not implement keyword ${k}`);
  }
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${at}: ${why}`);
  const sub = (key: string) => s[key] as Json;
  if (typeof s.$ref === 'string') {
    const target = s.$ref.replace(/^#\//, '').split('/').reduce<Json>((node, part) => (node as Schema)[part]!, schema);
    errors.push(...validate(target, v, at));
  }
  if (typeof s.type === 'string' && !typeMatches(s.type, v)) return [...errors, `${at}: expected ${s.type}`];
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) fail(`expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(v as Json)) fail('not in enum');
  if (typeof v === 'string') {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) fail(`does not match ${s.pattern}`);
    if (typeof s.minLength === 'number' && [...v].length < s.minLength) fail('too short');
  }
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) fail('below minimum');
    if (typeof s.maximum === 'number' && v > s.maximum) fail('above maximum');
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) fail('not above exclusiveMinimum');
  }
  if (Array.isArray(v)) {
    if ('items' in s) v.forEach((item, i) => errors.push(...validate(sub('items'), item, `${at}[${i}]`)));
    if (s.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) fail('duplicate items');
  }
  if (isObject(v)) {
    const props = (s.properties ?? {}) as Schema;
    for (const key of (s.required ?? []) as string[]) if (!(key in v)) fail(`missing ${key}`);
    if (typeof s.minProperties === 'number' && Object.keys(v).length < s.minProperties) fail('too few properties');
    for (const [key, deps] of Object.entries((s.dependentRequired ?? {}) as Record<string, string[]>)) {
      if (key in v) for (const d of deps) if (!(d in v)) fail(`${key} needs ${d}`);
    }
    for (const [key, value] of Object.entries(v)) {
      if ('propertyNames' in s) errors.push(...validate(sub('propertyNames'), key, `${at}.${key}(name)`));
      if (key in props) errors.push(...validate(props[key]!, value, `${at}.${key}`));
      else if ('additionalProperties' in s) {
        if (s.additionalProperties === false) fail(`unknown key ${key}`);
        else errors.push(...validate(sub('additionalProperties'), value, `${at}.${key}`));
      }
    }
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((alt) => validate(alt, v, at).length === 0)) fail('matches no alternative');
  if ('not' in s && validate(sub('not'), v, at).length === 0) fail('matches a forbidden form');
  if ('if' in s) {
    const branch = validate(sub('if'), v, at).length === 0 ? 'then' : 'else';
    if (branch in s) errors.push(...validate(sub(branch), v, at));
  }
  return errors;
}

/** Every schema object that lists properties, by a path like the keys of PLAN_KEYS. */
function schemaSections(): Record<string, Schema> {
  const p = (s: Json) => (s as Schema).properties as Schema;
  const root = schema;
  const env = p(p(root)['environment']!);
  const transcription = (root.$defs as Schema)['transcriptionAssertion'] as Schema;
  const gpu = (root.$defs as Schema)['gpuMemoryAssertion'] as Schema;
  return {
    '': root,
    snapshot: p(root)['snapshot'] as Schema,
    environment: p(root)['environment'] as Schema,
    'environment.python': env['python'] as Schema,
    'environment.nvidia': env['nvidia'] as Schema,
    'environment.torch': env['torch'] as Schema,
    'environment.ffmpeg': env['ffmpeg'] as Schema,
    'environment.disk': env['disk'] as Schema,
    install: ((p(root)['install'] as Schema).anyOf as Json[]).find((alt) => (alt as Schema).type === 'object') as Schema,
    service: p(root)['service'] as Schema,
    'service.ready': p(p(root)['service']!)['ready'] as Schema,
    'assertions[]': transcription,
    'assertions[].expect': p(transcription)['expect'] as Schema,
    'assertions[]:gpu-memory': gpu,
    'assertions[].gpuMemoryMiB': p(gpu)['gpuMemoryMiB'] as Schema,
    report: p(root)['report'] as Schema,
  };
}

/** A schema for a plan mapping (conditional subschemas such as `if` list properties without a type). */
const isMapping = (node: Schema): boolean => node.type === 'object' && isObject(node.properties);

function walk(node: Json, visit: (node: Schema, at: string) => void, at = '$'): void {
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, visit, `${at}[${i}]`));
  else if (isObject(node)) {
    visit(node, at);
    for (const [k, v] of Object.entries(node)) if (k !== 'enum' && k !== 'const' && k !== 'default') walk(v, visit, `${at}.${k}`);
  }
}

describe('drills/plan.schema.json', () => {
  it('is a draft 2020-12 schema, closed and described everywhere', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    walk(schema, (node, at) => {
      if (isMapping(node)) {
        expect(node.additionalProperties, at).toBe(false);
        for (const [key, prop] of Object.entries(node.properties as Schema)) {
          expect(typeof (prop as Schema).description, `${at}.properties.${key}`).toBe('string');
        }
      }
    });
    expect(validate(schema, {}).length).toBeGreaterThan(0); // also proves the validator knows every keyword used
  });

  it('accepts exactly the keys the loader accepts, in every mapping', () => {
    const sections = schemaSections();
    expect(Object.keys(sections).sort()).toEqual(Object.keys(PLAN_KEYS).sort());
    for (const [key, known] of Object.entries(PLAN_KEYS)) {
      expect(Object.keys(sections[key]!.properties as Schema).sort(), key).toEqual([...known].sort());
    }
    let mappings = 0;
    walk(schema, (node) => void (isMapping(node) && mappings++));
    expect(mappings).toBe(Object.keys(PLAN_KEYS).length);
  });

  it('uses the loader patterns and enums', () => {
    const props = schema.properties as Schema;
    expect((props['name'] as Schema).pattern).toBe(NAME_PATTERN);
    expect(((schema.$defs as Schema)['versionRange'] as Schema).pattern).toBe(VERSION_RANGE_PATTERN);
    const env = ((props['service'] as Schema).properties as Schema)['env'] as Schema;
    expect((env.propertyNames as Schema).pattern).toBe(ENV_NAME_PATTERN);
    const sections = schemaSections();
    expect(((sections['assertions[]']!.properties as Schema)['api'] as Schema).enum).toEqual(TRANSCRIPTION_APIS);
  });

  it('declares the defaults the loader applies', () => {
    const s = schemaSections();
    const def = (section: string, key: string) => ((s[section]!.properties as Schema)[key] as Schema).default;
    const plan = parsePlan(
      stringify({ ...BASE, environment: { python: {}, nvidia: {}, torch: {}, ffmpeg: {} }, install: { commands: [] }, assertions: [{ name: 'g', gpuMemoryMiB: { min: 1 } }, { name: 't', api: 'gradio', audio: 'a', expect: { empty: true } }] }),
      'drills/d.yaml',
    );
    expect(def('snapshot', 'tags')).toBe(plan.snapshot.tags);
    expect(def('snapshot', 'requireSignedTag')).toBe(plan.snapshot.requireSignedTag);
    expect(def('environment.python', 'command')).toBe(plan.environment.python?.command);
    expect(def('environment.nvidia', 'required')).toBe(plan.environment.nvidia?.required);
    expect(def('environment.torch', 'required')).toBe(plan.environment.torch?.required);
    expect(def('environment.ffmpeg', 'required')).toBe(plan.environment.ffmpeg?.required);
    expect(def('environment.ffmpeg', 'decoders')).toEqual(plan.environment.ffmpeg?.decoders);
    expect(def('environment', 'ports')).toEqual(plan.environment.ports);
    expect(def('install', 'timeoutSec')).toBe(plan.installTimeoutSec);
    expect(def('service.ready', 'path')).toBe(plan.service.ready.path);
    expect(def('service.ready', 'timeoutSec')).toBe(plan.service.ready.timeoutSec);
    expect(def('service', 'stopTimeoutSec')).toBe(plan.service.stopTimeoutSec);
    expect(def('assertions[]:gpu-memory', 'required')).toBe(plan.assertions[0]?.required);
    expect(def('assertions[]', 'required')).toBe(plan.assertions[1]?.required);
    expect(def('report', 'dir')).toBe(plan.report.dir);
    expect(def('report', 'dir')).toBe(DEFAULTS.reportDir);
  });

  it.each(['whisper-large-v3.yaml', 'demo.yaml'])('validates the shipped plan %s, which the loader also accepts', (name) => {
    const text = readFileSync(path.join(drills, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./plan.schema.json');
    expect(validate(schema, parse(text))).toEqual([]);
    expect(() => parsePlan(text, path.join(drills, name))).not.toThrow();
  });
});

const BASE = {
  name: 'agree',
  snapshot: { repo: 'file:///srv/backup.git' },
  service: { start: './run', url: 'http://127.0.0.1:8000' },
};

type Patch = Record<string, unknown>;
const transcription = (over: Patch) => ({ assertions: [{ name: 'a', api: 'gradio', audio: 'a.wav', expect: { contains: 'x' }, ...over }] });

/** [what, top-level keys replaced in BASE, accepted?] */
const TABLE: [string, Patch, boolean][] = [
  ['minimal plan', {}, true],
  ['install as a mapping', { install: { commands: ['make'], timeoutSec: 5 } }, true],
  ['install mapping without commands', { install: { timeoutSec: 5 } }, false],
  ['install timeout 0', { install: { commands: [], timeoutSec: 0 } }, false],
  ['install as a string', { install: 'make' }, false],
  ['unknown top-level key', { extra: 1 }, false],
  ['description not a string', { description: 5 }, false],
  ['name ".."', { name: '..' }, false],
  ['name with a space', { name: 'a b' }, false],
  ['unknown snapshot key', { snapshot: { repo: 'r', tagz: 'v*' } }, false],
  ['requireSignedTag as a string', { snapshot: { repo: 'r', requireSignedTag: 'yes' } }, false],
  ['signed tags without allowedSigners', { snapshot: { repo: 'r', requireSignedTag: true } }, false],
  ['signed tags with allowedSigners', { snapshot: { repo: 'r', requireSignedTag: true, allowedSigners: 'k' } }, true],
  ['snapshot without repo', { snapshot: { tags: 'v*' } }, false],
  ['version conjunction', { environment: { python: { version: '>=2.1,<3' }, nvidia: { cuda: '12' } } }, true],
  ['version with ~', { environment: { python: { version: '~3.9' } } }, false],
  ['version "=="', { environment: { torch: { version: '==2.1' } } }, false],
  ['version as a number', { environment: { torch: { version: 2.1 } } }, false],
  ['port 0', { environment: { ports: [0] } }, false],
  ['port 70000', { environment: { ports: [70000] } }, false],
  ['port 1.5', { environment: { ports: [1.5] } }, false],
  ['duplicate ports', { environment: { ports: [80, 80] } }, false],
  ['disk auto', { environment: { disk: { minFreeGiB: 'auto' } } }, true],
  ['disk 2.5', { environment: { disk: { minFreeGiB: 2.5 } } }, true],
  ['disk "big"', { environment: { disk: { minFreeGiB: 'big' } } }, false],
  ['disk without minFreeGiB', { environment: { disk: {} } }, false],
  ['negative minFreeMiB', { environment: { nvidia: { minFreeMiB: -1 } } }, false],
  ['decoder not a string', { environment: { ffmpeg: { decoders: [1] } } }, false],
  ['ftp URL', { service: { start: 's', url: 'ftp://h/x' } }, false],
  ['https URL', { service: { start: 's', url: 'https://h:8443/base' } }, true],
  ['service without start', { service: { url: 'http://h' } }, false],
  ['ready path without /', { service: { ...BASE.service, ready: { path: 'health' } } }, false],
  ['ready timeout 0', { service: { ...BASE.service, ready: { timeoutSec: 0 } } }, false],
  ['stop timeout 0', { service: { ...BASE.service, stopTimeoutSec: 0 } }, true],
  ['stop timeout -1', { service: { ...BASE.service, stopTimeoutSec: -1 } }, false],
  ['env strings', { service: { ...BASE.service, env: { A_1: 'x', B: '2' } } }, true],
  ['env number value', { service: { ...BASE.service, env: { A: 2 } } }, false],
  ['env bad name', { service: { ...BASE.service, env: { '1A': 'x' } } }, false],
  ['transcription assertion', transcription({ language: 'zh', endpoint: '/predict', required: false }), true],
  ['contains with maxCER', transcription({ expect: { contains: 'x', maxCER: 0.1 } }), true],
  ['maxCER 2', transcription({ expect: { contains: 'x', maxCER: 2 } }), false],
  ['maxCER without contains', transcription({ expect: { maxCER: 0.1, empty: true } }), false],
  ['silence control', transcription({ expect: { empty: true } }), true],
  ['empty: false alone', transcription({ expect: { empty: false } }), false],
  ['empty: true with contains', transcription({ expect: { empty: true, contains: 'x' } }), false],
  ['empty contains', transcription({ expect: { contains: '' } }), false],
  ['no expectation', transcription({ expect: {} }), false],
  ['missing expect', transcription({ expect: undefined }), false],
  ['unknown api', transcription({ api: 'grpc' }), false],
  ['command api with command', transcription({ api: 'command', command: './t' }), true],
  ['command api without command', transcription({ api: 'command' }), false],
  ['command with another api', transcription({ command: './t' }), false],
  ['unknown assertion key', transcription({ gpuMemoryMB: 1 }), false],
  ['gpu assertion', { assertions: [{ name: 'g', gpuMemoryMiB: { min: 1, max: 2 }, required: false }] }, true],
  ['gpu assertion without bounds', { assertions: [{ name: 'g', gpuMemoryMiB: {} }] }, false],
  ['gpu assertion with api', { assertions: [{ name: 'g', api: 'gradio', gpuMemoryMiB: { max: 2 } }] }, false],
  ['gpu assertion without name', { assertions: [{ gpuMemoryMiB: { max: 2 } }] }, false],
  ['report dir', { report: { dir: 'out' } }, true],
  ['empty report dir', { report: { dir: '' } }, false],
];

describe('schema and loader agree', () => {
  it.each(TABLE)('%s', (_what, patch, accepted) => {
    const plan = JSON.parse(JSON.stringify({ ...BASE, ...patch })) as unknown; // drops undefined keys
    let loaderAccepts = true;
    try {
      parsePlan(stringify(plan), 'drills/agree.yaml');
    } catch {
      loaderAccepts = false;
    }
    expect({ loader: loaderAccepts, schema: validate(schema, plan).length === 0 }).toEqual({ loader: accepted, schema: accepted });
  });
});
