/**
 * The drill plan format, in one place: the loader validates with it (load.ts), the types come
 * from it (types.ts) and drills/plan.schema.json is generated from it (json-schema.ts).
 */
import { count, either, flag, list, mapping, matching, nonBlank, rule, text } from './fields.js';
import { isRecord } from './messages.js';
import { DEFAULTS, NAME_PATTERN } from './rules.js';
import { assertions } from './schema-assertions.js';
import { environment } from './schema-environment.js';
import { service } from './schema-service.js';

const SIGNED_TAG_JSON = {
  if: { properties: { requireSignedTag: { const: true } }, required: ['requireSignedTag'] },
  then: { required: ['allowedSigners'] },
};

const snapshot = rule(
  mapping({
    repo: nonBlank().describe(
      'URL of the backup repository: https, ssh, file:// or an absolute path. "builtin:sample-backup" is the embedded sample backup.',
    ),
    tags: nonBlank().default(DEFAULTS.tags).describe('Glob selecting which tags are snapshots.'),
    requireSignedTag: flag()
      .default(DEFAULTS.requireSignedTag)
      .describe("Verify the tag's signature before any code from the snapshot runs."),
    allowedSigners: nonBlank()
      .optional()
      .describe('allowed_signers file for SSH-signed tags, relative to the plan file. Required when requireSignedTag is true.'),
  }),
  SIGNED_TAG_JSON,
  isRecord,
  (s, report) => {
    if (s.requireSignedTag === true && !('allowedSigners' in s)) report(['allowedSigners'], 'required when requireSignedTag is true');
  },
).describe('The backup repository and which of its tags are snapshots.');

const shellCommand = nonBlank().describe('A shell command.');

const install = either(
  list(shellCommand).describe(`Commands run in order (time limit ${DEFAULTS.installTimeoutSec} s).`),
  mapping({
    commands: list(shellCommand).describe('Commands run in order.'),
    timeoutSec: count({ above: 0 })
      .default(DEFAULTS.installTimeoutSec)
      .describe('Time limit of the install step, in seconds.'),
  }).describe("Commands and the step's time limit."),
  'a list of commands or a mapping with commands and timeoutSec',
)
  .default(() => [])
  .describe(
    'Install commands, run through a shell in the restored workspace: a list of commands, or a mapping with commands and a time limit.',
  );

const report = mapping({
  dir: nonBlank()
    .default(DEFAULTS.reportDir)
    .describe('Report directory, relative to the current directory when the drill runs (--report-dir overrides it).'),
})
  .prefault({})
  .describe('Where reports are written.');

/** The plan as written; `PlanSchema` below turns `install` into commands and a time limit. */
export const PlanInput = mapping({
  name: matching('a name made of letters, digits, ".", "_" and "-" (it names the report folder)', new RegExp(NAME_PATTERN)).describe(
    "Plan name; names the report folder (<report dir>/<name>/...). Letters, digits, '.', '_' and '-'.",
  ),
  description: text().optional().describe('What this plan drills, for people.'),
  snapshot,
  environment,
  install,
  service,
  assertions,
  report,
}).meta({
  title: 'whisper-drill plan',
  description:
    'A restore drill plan for a Whisper speech-recognition service backed up in Git LFS. A plan is trusted operator configuration: its commands run through a shell.',
});

/** Validates a plan (parsed from YAML) and fills its defaults. Plan.file and Plan.sha256 are the loader's. */
export const PlanSchema = PlanInput.transform(({ install: steps, ...plan }) => ({
  ...plan,
  install: Array.isArray(steps) ? steps : steps.commands,
  installTimeoutSec: Array.isArray(steps) ? DEFAULTS.installTimeoutSec : steps.timeoutSec,
}));
