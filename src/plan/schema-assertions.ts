/** The plan's `assertions`: checks against the running service, of two kinds. */
import * as z from 'zod';
import { count, flag, isList, list, mapping, nonBlank, rule } from './fields.js';
import { expectedMessage, isRecord, unknownKeyMessage } from './messages.js';
import { DEFAULTS, TRANSCRIPTION_APIS } from './rules.js';

const name = nonBlank().describe('Name of the assertion, unique in the plan.');
const required = flag()
  .default(DEFAULTS.required)
  .describe('Whether this assertion is required: a required check that fails fails the drill; when false, a failure is reported as a warning.');

const API_WHAT = `one of ${TRANSCRIPTION_APIS.join(', ')}`;
const api = z.enum(TRANSCRIPTION_APIS, { error: (iss) => expectedMessage(API_WHAT, iss.input, true) });
const command = nonBlank();

const EXPECT_JSON = {
  anyOf: [{ required: ['contains'] }, { required: ['empty'], properties: { empty: { const: true } } }],
  dependentRequired: { maxCER: ['contains'] },
  not: { required: ['contains', 'empty'], properties: { empty: { const: true } } },
};

const expect = rule(
  mapping({
    contains: nonBlank()
      .optional()
      .describe('Text the transcript must contain (compared after normalization); also the reference for maxCER.'),
    maxCER: count({ min: 0, max: 1 }).optional().describe('Highest character error rate accepted against contains, 0..1.'),
    empty: flag().optional().describe('Silence control: the transcript must be empty.'),
  }),
  EXPECT_JSON,
  isRecord,
  (e, report) => {
    if (!('contains' in e) && !('empty' in e)) {
      report([], 'needs "contains" (the expected text) or "empty: true" (silence control)');
    } else if (!('contains' in e) && e.empty === false) {
      report(['empty'], 'empty: false checks nothing; add "contains" or set empty: true');
    }
    if (e.empty === true && 'contains' in e) report(['empty'], 'cannot be combined with "contains"');
    if ('maxCER' in e && !('contains' in e)) report(['maxCER'], 'needs "contains" (the reference text)');
  },
).describe('Expected transcript: contains (with an optional CER bound), or empty: true for a silence control.');

const COMMAND_JSON = {
  if: { properties: { api: { const: 'command' } }, required: ['api'] },
  then: { required: ['command'] },
  else: { not: { required: ['command'] } },
};

// `kind` is set by `assertion` below before the item is parsed, so each kind is its own mapping.
const transcriptionShape = {
  kind: z.literal('transcription'),
  name,
  api: api.describe('How to call the service.'),
  audio: nonBlank().describe('Audio file, relative to the restored workspace.'),
  language: nonBlank().optional().describe('Language code passed to the service, e.g. zh.'),
  expect,
  endpoint: nonBlank()
    .optional()
    .describe('Gradio endpoint name, e.g. /transcribe (Gradio 6) or /predict (4, 5); discovered from the service when absent.'),
  model: nonBlank()
    .optional()
    .describe('For api: openai: the model named in the request (default whisper-1; vLLM and LocalAI want the name they serve).'),
  command: command
    .optional()
    .describe('For api: command: the command run in the workspace with the audio path appended; its stdout is the transcript.'),
  required,
};

const transcription = rule(
  mapping(transcriptionShape, { alsoSuggest: ['gpuMemoryMiB'], hidden: ['kind'] }),
  COMMAND_JSON,
  isRecord,
  (a, report) => {
    const validApi = api.safeParse(a.api).data;
    if (validApi === 'command' && !('command' in a)) report(['command'], 'required when api is command');
    if (validApi !== undefined && validApi !== 'command' && command.safeParse(a.command).success) {
      report(['command'], `only used with api: command (this assertion uses api: ${validApi})`);
    }
  },
).meta({
  id: 'transcriptionAssertion',
  description: 'Transcribe an audio file through the service and compare the transcript (normalized) with the expectation.',
});

const bound = count({ min: 0 });
const gpuMemoryMiB = rule(
  mapping({
    min: bound.optional().describe('Lowest accepted use, in MiB.'),
    max: bound.optional().describe('Highest accepted use, in MiB.'),
  }),
  { minProperties: 1 },
  isRecord,
  (m, report) => {
    if (!('min' in m) && !('max' in m)) report(['min'], 'needs "min", "max" or both');
    const [min, max] = [bound.safeParse(m.min).data, bound.safeParse(m.max).data];
    if (min !== undefined && max !== undefined && min > max) report(['max'], `must be at least min (${min}), got ${max}`);
  },
).describe('Accepted GPU memory use, in MiB.');

const gpuShape = { kind: z.literal('gpu-memory'), name, gpuMemoryMiB, required };
const gpuMemory = mapping(gpuShape, { hidden: ['kind'] }).meta({
  id: 'gpuMemoryAssertion',
  description: 'GPU memory in use while the service runs (the model is resident on the GPU).',
});

/** Ids of the two kinds in the JSON Schema's $defs, whose `kind` (not a plan key) the export leaves out. */
export const ASSERTION_DEFS = ['transcriptionAssertion', 'gpuMemoryAssertion'];

/**
 * An item with gpuMemoryMiB is a GPU memory assertion, any other a transcription assertion. The
 * kind is added as `kind` and picks one branch of a discriminated union, so only that kind's
 * problems are reported (a plain union would report both). A `kind` written in the plan is an
 * unknown key like any other.
 */
const assertion = z.preprocess(
  (item, ctx) => {
    if (!isRecord(item)) return item;
    const gpu = 'gpuMemoryMiB' in item;
    if ('kind' in item) {
      const known = Object.keys(gpu ? gpuShape : transcriptionShape).filter((key) => key !== 'kind');
      const message = unknownKeyMessage('kind', known);
      ctx.addIssue({ code: 'unrecognized_keys', keys: ['kind'], input: item, message });
    }
    return { ...item, kind: gpu ? 'gpu-memory' : 'transcription' };
  },
  z.discriminatedUnion('kind', [transcription, gpuMemory], { error: (iss) => expectedMessage('a mapping', iss.input) }),
);

/** Names must be unique: a repeated name is reported where it is repeated. */
export const assertions = rule(list(assertion), {}, isList, (items, report) => {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.name !== 'string') return;
    const first = seen.get(item.name);
    if (first === undefined) seen.set(item.name, i);
    else report([i, 'name'], `duplicate assertion name (also assertions[${first}])`);
  });
})
  .default(() => [])
  .describe(
    'Checks against the running service. An item with gpuMemoryMiB is a GPU memory assertion; any other item is a transcription assertion.',
  );
