/**
 * The drill plan format, in one place: the loader validates with it (load.ts), the types come
 * from it (types.ts) and drills/plan.schema.json is generated from it (json-schema.ts).
 */
import * as z from 'zod';
import { count, either, flag, list, mapping, matching, nonBlank, rule, text } from './fields.js';
import { expectedMessage, isRecord } from './messages.js';
import { DEFAULTS, ENV_NAME_PATTERN, GOAL_PATTERN, NAME_PATTERN, POLICY_AGE_PATTERN } from './rules.js';
import { assertions } from './schema-assertions.js';
import { backup } from './schema-backup.js';
import { environment } from './schema-environment.js';
import { service } from './schema-service.js';

const SIGNED_TAG_JSON = {
  if: { properties: { requireSignedTag: { const: true } }, required: ['requireSignedTag'] },
  then: { required: ['allowedSigners'] },
};

const envName = (what: string) => matching('an environment variable name ([A-Za-z_][A-Za-z0-9_]*)', new RegExp(ENV_NAME_PATTERN)).optional().describe(what);

/** Credentials are named, never written: the plan says which environment variables hold them. */
const auth = rule(
  mapping({
    usernameEnv: envName('Environment variable holding the user name (with passwordEnv).'),
    passwordEnv: envName('Environment variable holding the password (Basic auth).'),
    tokenEnv: envName('Environment variable holding an access token (sent as the password; GitLab, Gitea and GitHub accept it).'),
    username: nonBlank().optional().describe('User name to go with tokenEnv, when the server wants one (default "oauth2").'),
  }),
  { anyOf: [{ required: ['passwordEnv'] }, { required: ['tokenEnv'] }], not: { required: ['passwordEnv', 'tokenEnv'] } },
  isRecord,
  (a, report) => {
    if ('passwordEnv' in a && 'tokenEnv' in a) report(['tokenEnv'], 'give passwordEnv or tokenEnv, not both');
    else if (!('passwordEnv' in a) && !('tokenEnv' in a)) report([], 'needs passwordEnv (with usernameEnv) or tokenEnv');
  },
)
  .optional()
  .describe(
    "Where the backup remote's credentials come from, when not from git's credential helpers: names of environment variables, never the secrets themselves.",
  );

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
    auth,
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
    wheelhouse: z
      .union([nonBlank(), z.literal(false)], { error: (iss) => expectedMessage('a folder of the backup, or false', iss.input, true) })
      .optional()
      .describe(
        'The backup\'s folder of wheels (relative to the restored tree). pip then installs from it alone: no index, no node configuration. Default: wheels/ when the tag has it; false: never.',
      ),
  }).describe("Commands and the step's time limit."),
  'a list of commands or a mapping with commands and timeoutSec',
)
  .default(() => [])
  .describe(
    'Install commands, run through a shell in the restored workspace: a list of commands, or a mapping with commands and a time limit.',
  );

/** How often the plan must be drilled: past that age since the last passing drill, it is overdue. */
const policy = mapping({
  every: matching('an age such as "90d", "13w" or "36h"', new RegExp(POLICY_AGE_PATTERN)).describe(
    'Maximum age of the last passing drill (or setup) of this plan on a host, in hours (h), days (d) or weeks (w): older is overdue.',
  ),
})
  .optional()
  .describe('How often this plan must be drilled (history, check and the wizard show an overdue drill; metrics carry it).');

/** What of the node may stand in for what the backup lacks while install, start and assert run. */
const isolation = mapping({
  home: z
    .enum(['scratch', 'host'], { error: (iss) => expectedMessage('"scratch" or "host"', iss.input, true) })
    .default('scratch')
    .describe(
      'scratch: HOME, XDG_CACHE_HOME, HF_HOME, TORCH_HOME and PIP_CACHE_DIR are empty folders of the drill, so no model or package cached on the node can stand in for the backup. host: the node\'s own (the report says so).',
    ),
  network: z
    .enum(['namespace', 'host'], { error: (iss) => expectedMessage('"namespace" or "host"', iss.input, true) })
    .default('namespace')
    .describe(
      "namespace: the service runs (start, assert) in a network namespace with only loopback, where the host allows it (root, or unprivileged user namespaces); the drill reaches it through a Unix socket. host: the host's network (the report says so). Either way the service's outgoing connection attempts are watched.",
    ),
  allowConnections: list(matching('"host:port"', /^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/).describe('An address the service may connect to, as "host:port" (an IP address, as the call names it).'))
    .optional()
    .describe("Connections the service may make besides its own ports; any other fails the drill ('a restore must not need it')."),
})
  .prefault({})
  .describe('Isolation of install, start and assert from the node: by default nothing cached on the node can stand in for the backup.');

/** The recovery the operators promise: from the start of fetch to the first correct transcript. */
const rto = mapping({
  goal: matching('a duration such as "15m", "900s" or "1h"', new RegExp(GOAL_PATTERN))
    .optional()
    .describe(
      'The recovery-time goal: from the start of fetch to the first correct transcript (rto.recoveryMs), in seconds (s), minutes (m) or hours (h). The report, the summary, the history and the metrics hold each drill to it; missing it does not fail the drill.',
    ),
  overlap: z
    .boolean()
    .optional()
    .describe(
      "Whether install runs while the LFS objects download (default true): it starts once the commit is checked out (and the backup's wheelhouse fetched), and start waits for both. false: the by-hand order, install after verify.",
    ),
})
  .optional()
  .describe('The recovery time: its goal, and whether the phases that do not depend on each other overlap.');

/** Which tags `whisper-drill audit` must find restorable, besides the newest. */
const audit = mapping({
  mustRestore: nonBlank()
    .optional()
    .describe('A glob of tags (as snapshot.tags) that must each be restorable: audit exits 1 when one of them, or the newest tag, is not.'),
})
  .optional()
  .describe('What `whisper-drill audit` holds the backup to.');

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
  policy,
  isolation,
  audit,
  rto,
  backup,
}).meta({
  title: 'whisper-drill plan',
  description:
    'A restore drill plan for a Whisper speech-recognition service backed up in Git LFS. A plan is trusted operator configuration: its commands run through a shell.',
});

/** Validates a plan (parsed from YAML) and fills its defaults. Plan.file and Plan.sha256 are the loader's. */
export const PlanSchema = PlanInput.transform(({ install: steps, ...plan }) => ({
  ...plan,
  install: Array.isArray(steps) ? steps : steps.commands,
  wheelhouse: Array.isArray(steps) ? undefined : steps.wheelhouse,
  installTimeoutSec: Array.isArray(steps) ? DEFAULTS.installTimeoutSec : steps.timeoutSec,
}));
