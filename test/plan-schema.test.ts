/**
 * drills/plan.schema.json is generated from the plan schema (src/plan/schema.ts). These tests
 * check that the shipped file is the generated one, that it describes the plan format (keys per
 * mapping, patterns, defaults) and that it gives the loader's verdict on a table of plans. The
 * schema is checked with ajv (draft 2020-12, strict).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { planJsonSchemaText } from '../src/plan/json-schema.js';
import { parsePlan } from '../src/plan/load.js';
import { DEFAULTS, ENV_NAME_PATTERN, NAME_PATTERN, TRANSCRIPTION_APIS } from '../src/plan/rules.js';
import { VERSION_RANGE_PATTERN } from '../src/model/version-range.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isObject, subschemas, type Json, type Schema } from './plan/schema-walk.js';

const drills = path.resolve(import.meta.dirname, '..', 'drills');
const shipped = readFileSync(path.join(drills, 'plan.schema.json'), 'utf8');
const schema = JSON.parse(shipped) as Schema;
// ajv in strict mode (an unknown keyword fails the compile: nothing in the schema is quietly ignored); `required` in an
// if/then branch names properties the branch itself does not define, which JSON Schema allows; `format` is an
// annotation in draft 2020-12 (the loader checks URLs itself).
const check = new Ajv2020({ strict: true, strictRequired: false, validateFormats: false, allErrors: true }).compile(schema);
const validate = (v: unknown): string[] => (check(v) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '$'}: ${e.message ?? e.keyword}`));

const DRIFT_VERSIONS = ['torch', 'cuda', 'cudnn', 'python', 'driver', 'driverCuda', 'ffmpeg', 'packages'];

/** The plan format: accepted keys per mapping ("assertions[]" = an item of the assertions list). */
const PLAN_KEYS: Record<string, readonly string[]> = {
  '': ['name', 'description', 'snapshot', 'environment', 'install', 'service', 'assertions', 'report', 'policy', 'isolation', 'audit', 'rto', 'backup'],
  snapshot: ['repo', 'tags', 'requireSignedTag', 'allowedSigners', 'auth'],
  'snapshot.auth': ['usernameEnv', 'passwordEnv', 'tokenEnv', 'username'],
  environment: ['python', 'nvidia', 'torch', 'ffmpeg', 'disk', 'ports', 'drift'],
  'environment.python': ['command', 'version'],
  'environment.nvidia': ['required', 'cuda', 'minFreeMiB'],
  'environment.torch': ['required', 'version', 'cuda', 'python'],
  'environment.ffmpeg': ['required', 'decoders'],
  'environment.disk': ['minFreeGiB'],
  'environment.drift': [...DRIFT_VERSIONS, 'os', 'gpu', 'decoders'],
  ...Object.fromEntries(DRIFT_VERSIONS.map((key) => [`environment.drift.${key}`, ['major', 'minor', 'patch', 'missing', 'added']])),
  install: ['commands', 'timeoutSec', 'wheelhouse'],
  service: ['start', 'url', 'ready', 'stopTimeoutSec', 'requestTimeoutSec', 'logMaxMiB', 'env', 'apiKeyEnv', 'models'],
  'service.ready': ['path', 'timeoutSec', 'statuses', 'sendApiKey'],
  'assertions[]': ['name', 'api', 'audio', 'language', 'expect', 'endpoint', 'model', 'command', 'required'],
  'assertions[].expect': ['contains', 'maxCER', 'empty'],
  'assertions[]:gpu-memory': ['name', 'gpuMemoryMiB', 'required'],
  'assertions[].gpuMemoryMiB': ['min', 'max'],
  report: ['dir'],
  policy: ['every'],
  isolation: ['home', 'network', 'allowConnections'],
  audit: ['mustRestore'],
  rto: ['goal', 'overlap'],
  backup: ['from', 'files', 'models', 'lfs', 'wheelhouse', 'maxBlobMiB', 'branch', 'tagFormat', 'maxAge', 'allowSecretsIn'],
  'backup.models[]': ['from', 'to'],
};

/** Every schema object that lists properties, by a path like the keys of PLAN_KEYS. */
function schemaSections(): Record<string, Schema> {
  const p = (s: Json) => (s as Schema).properties as Schema;
  const env = p(p(schema)['environment']!);
  const transcription = (schema.$defs as Schema)['transcriptionAssertion'] as Schema;
  const gpu = (schema.$defs as Schema)['gpuMemoryAssertion'] as Schema;
  return {
    '': schema,
    snapshot: p(schema)['snapshot'] as Schema,
    'snapshot.auth': p(p(schema)['snapshot']!)['auth'] as Schema,
    environment: p(schema)['environment'] as Schema,
    'environment.python': env['python'] as Schema,
    'environment.nvidia': env['nvidia'] as Schema,
    'environment.torch': env['torch'] as Schema,
    'environment.ffmpeg': env['ffmpeg'] as Schema,
    'environment.disk': env['disk'] as Schema,
    'environment.drift': env['drift'] as Schema,
    ...Object.fromEntries(DRIFT_VERSIONS.map((key) => [`environment.drift.${key}`, p(env['drift']!)[key] as Schema])),
    install: ((p(schema)['install'] as Schema).anyOf as Json[]).find((alt) => (alt as Schema).type === 'object') as Schema,
    service: p(schema)['service'] as Schema,
    'service.ready': p(p(schema)['service']!)['ready'] as Schema,
    'assertions[]': transcription,
    'assertions[].expect': p(transcription)['expect'] as Schema,
    'assertions[]:gpu-memory': gpu,
    'assertions[].gpuMemoryMiB': p(gpu)['gpuMemoryMiB'] as Schema,
    report: p(schema)['report'] as Schema,
    policy: p(schema)['policy'] as Schema,
    isolation: p(schema)['isolation'] as Schema,
    audit: p(schema)['audit'] as Schema,
    rto: p(schema)['rto'] as Schema,
    backup: p(schema)['backup'] as Schema,
    'backup.models[]': (p(p(schema)['backup']!)['models'] as Schema).items as Schema,
  };
}

/** A schema for a plan mapping (conditional subschemas such as `if` list properties without a type). */
const isMapping = (node: Schema): boolean => node.type === 'object' && isObject(node.properties);

describe('drills/plan.schema.json', () => {
  it('is generated from the plan schema', () => {
    expect(shipped, 'drills/plan.schema.json is stale: regenerate it with `npm run schema` and commit it').toBe(planJsonSchemaText());
  });

  it('is a draft 2020-12 schema that ajv compiles strictly, closed and described everywhere', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof check).toBe('function');
    for (const [node, at] of subschemas(schema)) {
      if (!isMapping(node)) continue;
      expect(node.additionalProperties, at).toBe(false);
      for (const [key, prop] of Object.entries(node.properties as Schema)) {
        expect(typeof (prop as Schema).description, `${at}.properties.${key}`).toBe('string');
      }
    }
  });

  it('accepts exactly the keys of the plan format, in every mapping', () => {
    const sections = schemaSections();
    expect(Object.keys(sections).sort()).toEqual(Object.keys(PLAN_KEYS).sort());
    for (const [key, known] of Object.entries(PLAN_KEYS)) {
      expect(Object.keys(sections[key]!.properties as Schema).sort(), key).toEqual([...known].sort());
    }
    expect(subschemas(schema).filter(([node]) => isMapping(node))).toHaveLength(Object.keys(PLAN_KEYS).length);
  });

  it('uses the loader patterns and enums', () => {
    const props = schema.properties as Schema;
    expect((props['name'] as Schema).pattern).toBe(NAME_PATTERN);
    expect(((schema.$defs as Schema)['versionRange'] as Schema).pattern).toBe(VERSION_RANGE_PATTERN);
    const env = ((props['service'] as Schema).properties as Schema)['env'] as Schema;
    expect((env.propertyNames as Schema).pattern).toBe(ENV_NAME_PATTERN);
    expect(((schemaSections()['assertions[]']!.properties as Schema)['api'] as Schema).enum).toEqual(TRANSCRIPTION_APIS);
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
    expect(def('service.ready', 'statuses')).toBeUndefined();
    expect(plan.service.ready.statuses).toBeUndefined();
    expect(def('service', 'stopTimeoutSec')).toBe(plan.service.stopTimeoutSec);
    expect(def('assertions[]:gpu-memory', 'required')).toBe(plan.assertions[0]?.required);
    expect(def('assertions[]', 'required')).toBe(plan.assertions[1]?.required);
    expect(def('report', 'dir')).toBe(plan.report.dir);
    expect(def('report', 'dir')).toBe(DEFAULTS.reportDir);
  });

  it.each(['whisper-large-v3.yaml', 'demo.yaml'])('validates the shipped plan %s, which the loader also accepts', (name) => {
    const text = readFileSync(path.join(drills, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./plan.schema.json');
    expect(validate(parse(text))).toEqual([]);
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
const ready = (r: Patch) => ({ service: { ...BASE.service, ready: r } });

/** [what, top-level keys replaced in BASE, accepted?] */
const TABLE: [string, Patch, boolean][] = [
  ['minimal plan', {}, true],
  ['install as a mapping', { install: { commands: ['make'], timeoutSec: 5 } }, true],
  ['install mapping without commands', { install: { timeoutSec: 5 } }, false],
  ['install timeout 0', { install: { commands: [], timeoutSec: 0 } }, false],
  ['install as a string', { install: 'make' }, false],
  ['install with a blank command', { install: ['make', ' '] }, false],
  ['unknown top-level key', { extra: 1 }, false],
  ['description not a string', { description: 5 }, false],
  ['name ".."', { name: '..' }, false],
  ['name with a space', { name: 'a b' }, false],
  ['unknown snapshot key', { snapshot: { repo: 'r', tagz: 'v*' } }, false],
  ['blank repo', { snapshot: { repo: '  ' } }, false],
  ['requireSignedTag as a string', { snapshot: { repo: 'r', requireSignedTag: 'yes' } }, false],
  ['signed tags without allowedSigners', { snapshot: { repo: 'r', requireSignedTag: true } }, false],
  ['signed tags with allowedSigners', { snapshot: { repo: 'r', requireSignedTag: true, allowedSigners: 'k' } }, true],
  ['snapshot without repo', { snapshot: { tags: 'v*' } }, false],
  ['version conjunction', { environment: { python: { version: '>=2.1,<3' }, nvidia: { cuda: '12' } } }, true],
  ['version with ~', { environment: { python: { version: '~3.9' } } }, false],
  ['version "=="', { environment: { torch: { version: '==2.1' } } }, true],
  ['version "!=" and "=" with blanks', { environment: { torch: { version: ' >= 2.1 , != 2.2, =2' } } }, true],
  ['version with an empty part', { environment: { torch: { version: '>=2.1,' } } }, false],
  ['version as a number', { environment: { torch: { version: 2.1 } } }, false],
  ['port 0', { environment: { ports: [0] } }, false],
  ['port 70000', { environment: { ports: [70000] } }, false],
  ['port 1.5', { environment: { ports: [1.5] } }, false],
  ['duplicate ports', { environment: { ports: [80, 80] } }, false],
  ['disk auto', { environment: { disk: { minFreeGiB: 'auto' } } }, true],
  ['drift severities', { environment: { drift: { torch: { major: 'warn', patch: 'ignore' }, os: 'info' } } }, true],
  ['drift severity "loud"', { environment: { drift: { torch: { major: 'loud' } } } }, false],
  ['drift of an unknown kind', { environment: { drift: { kernel: 'warn' } } }, false],
  ['disk 2.5', { environment: { disk: { minFreeGiB: 2.5 } } }, true],
  ['disk "big"', { environment: { disk: { minFreeGiB: 'big' } } }, false],
  ['disk without minFreeGiB', { environment: { disk: {} } }, false],
  ['negative minFreeMiB', { environment: { nvidia: { minFreeMiB: -1 } } }, false],
  ['decoder not a string', { environment: { ffmpeg: { decoders: [1] } } }, false],
  ['ftp URL', { service: { start: 's', url: 'ftp://h/x' } }, false],
  ['https URL', { service: { start: 's', url: 'https://h:8443/base' } }, true],
  ['service without start', { service: { url: 'http://h' } }, false],
  ['ready path without /', ready({ path: 'health' }), false],
  ['ready timeout 0', ready({ timeoutSec: 0 }), false],
  ['ready statuses', ready({ statuses: [200, 204, 401] }), true],
  ['ready statuses empty', ready({ statuses: [] }), false],
  ['ready status 99', ready({ statuses: [99] }), false],
  ['ready status 600', ready({ statuses: [600] }), false],
  ['ready status 200.5', ready({ statuses: [200.5] }), false],
  ['ready status "200"', ready({ statuses: ['200'] }), false],
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
  ['kind written in the plan', transcription({ kind: 'transcription' }), false],
  ['assertion not a mapping', { assertions: ['a'] }, false],
  ['gpu assertion', { assertions: [{ name: 'g', gpuMemoryMiB: { min: 1, max: 2 }, required: false }] }, true],
  ['gpu assertion without bounds', { assertions: [{ name: 'g', gpuMemoryMiB: {} }] }, false],
  ['gpu assertion with api', { assertions: [{ name: 'g', api: 'gradio', gpuMemoryMiB: { max: 2 } }] }, false],
  ['gpu assertion without name', { assertions: [{ gpuMemoryMiB: { max: 2 } }] }, false],
  ['gpu assertion with kind', { assertions: [{ name: 'g', kind: 'gpu-memory', gpuMemoryMiB: { max: 2 } }] }, false],
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
    expect({ loader: loaderAccepts, schema: validate(plan).length === 0 }).toEqual({ loader: accepted, schema: accepted });
  });
});
