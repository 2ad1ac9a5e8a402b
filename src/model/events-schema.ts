/**
 * The NDJSON event stream as a schema: drills/events.schema.json is generated from it
 * (`npm run schema`), and the compiler checks below that it describes exactly the DrillEvent type
 * the engine emits, so the two cannot drift apart.
 */
import * as z from 'zod';
import { EVENTS_SCHEMA_VERSION, type DrillEvent } from './events.js';

const stepId = z.enum(['environment', 'snapshot', 'fetch', 'verify', 'install', 'start', 'assert', 'teardown']);
const stepStatus = z.enum(['passed', 'failed', 'warned', 'skipped']);
const verdict = z.enum(['passed', 'failed', 'inconclusive', 'aborted']);
const at = z.string().describe('ISO 8601 time, UTC');

const check = z.strictObject({
  id: z.string(),
  title: z.string(),
  status: z.enum(['passed', 'warned', 'failed', 'skipped', 'inconclusive']),
  measured: z.string().describe('what was measured, e.g. "CUDA 12.4"'),
  required: z.string().optional(),
  fix: z.string().optional(),
  installPackage: z.string().optional(),
});

const tag = z.strictObject({
  name: z.string(),
  commit: z.string(),
  date: z.string(),
  message: z.string(),
  lfsFiles: z.number().int(),
  lfsBytes: z.number().int(),
  signature: z.enum(['verified', 'unsigned', 'bad', 'unchecked']),
  signatureDetail: z.string().optional(),
  lastDrill: z.strictObject({ verdict, at: z.string() }).optional(),
});

const archiveFacts = z.strictObject({
  location: z.string().describe('the file or URL, credentials redacted'),
  sha256: z.string().nullable().describe('of the archive as read; null until read'),
  expectedSha256: z.string().nullable().describe('what its .sha256 says; null: none'),
  manifest: z.boolean(),
  claimsTag: z.string().nullable(),
  hotTier: z.strictObject({ status: z.enum(['same', 'differs', 'unchecked']), detail: z.string() }).nullable(),
});

const progress = z.strictObject({
  current: z.number(),
  total: z.number().optional(),
  unit: z.enum(['bytes', 'files', 'commands', 'assertions']),
  label: z.string().optional(),
  elapsedMs: z.number().optional(),
});

const lfsFile = z.strictObject({
  path: z.string(),
  size: z.number().int(),
  oid: z.string().describe('sha256 of the content, from the pointer'),
  verified: z.boolean(),
  actualSha256: z.string().optional(),
  actualSize: z.number().int().optional(),
  problem: z.string().optional(),
});

const assertion = z.strictObject({
  status: z.enum(['passed', 'failed', 'warned', 'inconclusive']).describe('set by the drill: a failed optional assertion is warned'),
  name: z.string(),
  api: z.string(),
  audio: z.string().optional(),
  expected: z.string(),
  actual: z.string(),
  normalizedExpected: z.string().optional(),
  normalizedActual: z.string().optional(),
  cer: z.number().nullable(),
  passed: z.boolean(),
  inconclusive: z.boolean().optional(),
  required: z.boolean(),
  latencyMs: z.number().nullable(),
  detail: z.string(),
  gpuProcesses: z
    .array(
      z.strictObject({
        pid: z.number().int(),
        processName: z.string(),
        gpu: z.union([z.number().int(), z.string()]).describe('GPU index, or its UUID when nvidia-smi did not list that GPU'),
        usedMiB: z.number().nullable(),
        holder: z.enum(['service', 'other', 'unknown']).describe('unknown: a PID this host does not have (a container?)'),
      }),
    )
    .readonly()
    .optional(),
});

const driftItem = z.strictObject({
  key: z.string().describe('os, python, torch, cuda, cudnn, driver, driverCuda, gpu, ffmpeg, decoders, package:<name>'),
  title: z.string(),
  recorded: z.string().nullable().describe("as recorded in the tag's environment.lock.yaml; null: recorded as absent"),
  current: z.string().nullable().describe('on this node; null: absent here'),
  change: z.enum(['major', 'minor', 'patch', 'changed', 'missing', 'added']),
  severity: z.enum(['fail', 'warn', 'info']).describe("as the plan's environment.drift sets it"),
});

const drift = z.strictObject({
  tag: z.string(),
  lockFound: z.boolean(),
  recordedAt: z.string().optional(),
  recordedOn: z.string().optional(),
  problem: z.string().optional(),
  items: z.array(driftItem).readonly(),
  compared: z.array(z.string()).readonly(),
  notCompared: z.array(z.string()).readonly().describe('recorded in the lock, not measured by this run'),
});

const leftRunning = z.strictObject({ pid: z.number().int(), url: z.string(), stop: z.string().optional(), log: z.string().optional() });

const facts = z.record(z.string(), z.unknown());

const rto = z.strictObject({
  fetchMs: z.number().optional(),
  verifyMs: z.number().optional(),
  installMs: z.number().optional(),
  startMs: z.number().optional(),
  firstTranscriptMs: z.number().optional().describe('from the start of `start` to the first correct transcript'),
  recoveryMs: z.number().optional().describe('from the start of `fetch` to the first correct transcript: the recovery an empty node waits for'),
  goalMs: z.number().optional().describe("the plan's recovery-time goal (rto.goal) for recoveryMs"),
  totalMs: z.number().optional().describe("the drill's wall time less operatorMs"),
  operatorMs: z.number().optional().describe("time spent on the operator's answers"),
  thisRunMs: z.number().optional().describe('a resumed drill: its own wall time (totalMs adds the killed runs\' spans)'),
  criticalPath: z.array(stepId).readonly().optional().describe('the steps that decided when the first correct transcript came, from fetch on'),
});

const changes = z.strictObject({
  since: z.strictObject({ startedAt: z.string(), tag: z.string().nullable(), commit: z.string().nullable(), verdict, reportDir: z.string() }),
  tag: z.strictObject({ from: z.string().nullable(), to: z.string().nullable() }).nullable(),
  files: z.array(z.strictObject({ path: z.string(), change: z.enum(['changed', 'added', 'removed']), diff: z.string() })).readonly(),
  unchangedFiles: z.array(z.string()).readonly(),
  rto: z.array(z.strictObject({ phase: z.string(), fromMs: z.number(), toMs: z.number(), medianMs: z.number().optional().describe('the median of the last passing drills of the plan on this node') })).readonly(),
  environmentDrift: z.null(),
});

const stepError = z.strictObject({ message: z.string(), hint: z.string().optional() });
const heading = z.strictObject({ id: stepId, title: z.string(), limitMs: z.number().optional() });

const events = [
  z.strictObject({
    type: z.literal('drill-start'),
    at,
    plan: z.string(),
    planFile: z.string(),
    planSha256: z.string(),
    policy: z.strictObject({ every: z.string() }).optional(),
    mode: z.enum(['drill', 'setup', 'check']),
    workdir: z.string().describe("the restore target ('' for check)"),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    host: z.strictObject({
      hostname: z.string(),
      platform: z.string(),
      release: z.string(),
      arch: z.string(),
      cpus: z.number().int(),
      memoryBytes: z.number(),
      node: z.string(),
    }),
    steps: z.array(heading).readonly(),
  }),
  z.strictObject({ type: z.literal('step-start'), at, step: stepId, title: z.string(), limitMs: z.number().optional() }),
  z.strictObject({ type: z.literal('progress'), step: stepId, progress }),
  z.strictObject({ type: z.literal('log'), step: stepId, stream: z.enum(['stdout', 'stderr', 'info']), line: z.string() }),
  z.strictObject({ type: z.literal('check'), step: stepId, check }),
  z.strictObject({ type: z.literal('tags'), tags: z.array(tag).readonly() }),
  z.strictObject({ type: z.literal('lfs-file'), file: lfsFile }),
  z.strictObject({ type: z.literal('assertion'), outcome: assertion }),
  z.strictObject({ type: z.literal('drift'), step: stepId, drift }),
  z.strictObject({ type: z.literal('snapshot'), repo: z.string().describe('credentials redacted'), tag: tag.optional(), archive: archiveFacts.optional() }),
  z.strictObject({ type: z.literal('facts'), step: stepId, facts }),
  z.strictObject({ type: z.literal('config-files'), files: z.record(z.string(), z.string().nullable()) }),
  z.strictObject({ type: z.literal('service-log'), path: z.string(), tail: z.array(z.string()).readonly().optional().describe("the log's last lines, after a drill that did not pass") }),
  z.strictObject({ type: z.literal('left-running'), service: leftRunning }),
  z.strictObject({ type: z.literal('rto'), rto }),
  z.strictObject({
    type: z.literal('resumed'),
    earlier: z
      .array(
        z.strictObject({
          pid: z.number().int(),
          command: z.string(),
          startedAt: at,
          endedAt: at.describe('its last sign of life'),
          ms: z.number().describe('its span, counted in rto.totalMs'),
          recoveryMs: z.number().optional().describe('the part of it from the start of its fetch on, counted in rto.recoveryMs'),
          steps: z.array(z.strictObject({ id: z.string(), status: z.string().describe("a step's status, or 'running': the one it was killed in"), durationMs: z.number().optional() })).readonly(),
        }),
      )
      .readonly()
      .describe('the runs of this drill that were killed before it (--resume), oldest first'),
    said: z.string().describe('what the resumed drill found and did before its first step (the killed run\'s processes it ended, what it re-checks)'),
  }),
  z.strictObject({
    type: z.literal('notice'),
    line: z.string().describe('what the drill found and did before its first step: a workspace taken over from a killed drill, what killed drills had left running and was ended, a killed drill\'s workspace left to resume'),
  }),
  z.strictObject({
    type: z.literal('connections'),
    connections: z.strictObject({
      watched: z.boolean().describe('whether every attempt was seen (the tracer ran)'),
      why: z.string().optional(),
      attempts: z
        .array(
          z.strictObject({
            pid: z.number().int(),
            command: z.string(),
            call: z.string().describe('connect, or sendto/sendmsg/sendmmsg to an address'),
            address: z.string(),
            port: z.number().int(),
            during: z.enum(['start', 'assert']),
          }),
        )
        .readonly(),
    }),
  }),
  z.strictObject({
    type: z.literal('outside-input'),
    input: z.strictObject({ kind: z.enum(['pip-index', 'pip-find-links']), what: z.string(), from: z.string().describe('the file or variable that names it') }),
  }),
  z.strictObject({
    type: z.literal('provenance'),
    provenance: z.strictObject({
      method: z.enum(['fanotify', 'proc-sampling']),
      files: z
        .array(
          z.strictObject({
            path: z.string(),
            sha256: z.string(),
            size: z.number().int(),
            openedBy: z.array(z.strictObject({ pid: z.number().int(), command: z.string() })).readonly(),
            mapped: z.boolean(),
          }),
        )
        .readonly(),
      elsewhere: z.array(z.strictObject({ path: z.string(), pid: z.number().int(), command: z.string() })).readonly().describe("files with a model's name or size the service opened outside the workspace"),
      notes: z.array(z.string()).readonly(),
    }),
  }),
  z.strictObject({
    type: z.literal('isolation'),
    isolation: z.strictObject({
      home: z.enum(['scratch', 'host']),
      network: z.enum(['namespace', 'host']),
      achieved: z.array(z.string()).readonly().describe('what was isolated: home, caches, hubs-offline'),
      how: z.array(z.string()).readonly(),
    }),
  }),
  z.strictObject({
    type: z.literal('step-end'),
    at,
    step: stepId,
    status: stepStatus,
    durationMs: z.number(),
    summary: z.string(),
    error: stepError.optional(),
    evidence: facts.optional(),
    resume: z.enum(['resumed', 'redone']).optional().describe('a resumed drill: the step went on from what the killed run left, or ran again in full'),
  }),
  z.strictObject({ type: z.literal('sign-off'), signOff: z.strictObject({ operator: z.string().nullable(), notes: z.string().nullable() }) }),
  z.strictObject({ type: z.literal('changes'), changes }),
  z.strictObject({
    type: z.literal('verdict'),
    at,
    verdict,
    reasons: z.array(z.string()).readonly(),
    exitCode: z.number().int(),
    reportDir: z.string(),
  }),
  z.strictObject({
    type: z.literal('drill-end'),
    at,
    verdict,
    durationMs: z.number(),
    reportDir: z.string().optional(),
    exitCode: z.number().int(),
    summary: z.string(),
    leftRunning: leftRunning.optional(),
    cleanedUp: z.boolean(),
  }),
] as const;

/** One event as the engine emits it. */
export const drillEventSchema = z.discriminatedUnion('type', events);

/** One line of the NDJSON stream: an event with the version of this schema. */
export const ndjsonLineSchema = z.discriminatedUnion(
  'type',
  // Same members, each with the version: the tuple's type is kept for discriminatedUnion.
  events.map((event) => event.extend({ schemaVersion: z.literal(EVENTS_SCHEMA_VERSION).describe('version of this schema') })) as unknown as typeof events,
);

// The schema and the type describe the same events: each is assignable to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.output<typeof drillEventSchema>, DrillEvent> = true;
void sameShape;

/** The JSON Schema that ships as drills/events.schema.json. */
export function eventsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ndjsonLineSchema, { target: 'draft-2020-12' }),
    title: 'whisper-drill NDJSON events',
    description: 'One JSON object per line on stdout with --json. See docs/events.md.',
  };
}

/** The file's text: two-space JSON and a final newline. */
export const eventsJsonSchemaText = (): string => `${JSON.stringify(eventsJsonSchema(), null, 2)}\n`;
