/** The plan's `service` section: how to start the restored service and when it is ready. */
import { count, flag, ifNoProblemYet, list, mapping, matching, namedStrings, nonBlank, text } from './fields.js';
import { DEFAULTS, ENV_NAME_PATTERN, HTTP_URL_PATTERN, isHttpUrl } from './rules.js';

const URL_WHAT = 'an http(s) URL such as "http://127.0.0.1:7860"';

const url = text(URL_WHAT)
  .regex(new RegExp(HTTP_URL_PATTERN))
  .refine(isHttpUrl, ifNoProblemYet)
  .meta({ format: 'uri' })
  .describe('Base URL of the service (http or https).');

const statuses = list(count({ integer: true, min: 100, max: 599 }).describe('An HTTP status code.'))
  .min(1)
  .optional()
  .describe('HTTP status codes that count as ready; when absent, any 2xx or 3xx answer does.');

const ready = mapping({
  path: text('a URL path starting with "/"')
    .regex(/^\//)
    .default(DEFAULTS.readyPath)
    .describe('Path probed on the service URL.'),
  timeoutSec: count({ above: 0 })
    .default(DEFAULTS.readyTimeoutSec)
    .describe('How long to wait for the service to become ready, in seconds.'),
  statuses,
  sendApiKey: flag()
    .optional()
    .describe(
      'Whether the probe carries the API key (service.apiKeyEnv). When absent it does, unless the path is /health: a health route answers without one (speaches, whisper.cpp, vLLM).',
    ),
})
  .prefault({})
  .describe('Readiness probe: an HTTP GET that must answer.');

const ENV_NAME_WHAT = 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)';

const apiKeyEnv = matching(ENV_NAME_WHAT, new RegExp(ENV_NAME_PATTERN))
  .optional()
  .describe(
    'Name of the environment variable holding the API key. The key is sent as "Authorization: Bearer <key>" on every call to the service; the plan never holds the key itself.',
  );

const env = namedStrings(ENV_NAME_WHAT, new RegExp(ENV_NAME_PATTERN))
  .optional()
  .describe('Extra environment variables for the service. Values must be strings (quote numbers).');

/** The weights a Whisper service loads, by the extensions their formats use. */
export const DEFAULT_MODEL_GLOBS = ['*.pt', '*.pth', '*.bin', '*.safetensors', '*.gguf', '*.onnx', '*.ckpt'] as const;

const models = list(nonBlank().describe('A glob over the LFS files\' paths ("*" stays within a folder, "**" crosses folders); a pattern without "/" matches the file name.'))
  .optional()
  .describe(
    `The model files the service must be proven to load (the assertion "restored model in use"): globs over the restored LFS files. Default: ${DEFAULT_MODEL_GLOBS.join(' ')}.`,
  );

export const service = mapping({
  start: nonBlank().describe('Start command, run through a shell in the workspace in its own process group.'),
  url,
  ready,
  stopTimeoutSec: count({ min: 0 })
    .default(DEFAULTS.stopTimeoutSec)
    .describe('Seconds between SIGTERM and SIGKILL when stopping the service.'),
  requestTimeoutSec: count({ above: 0 })
    .default(DEFAULTS.requestTimeoutSec)
    .describe('How long one transcription request may take (upload, transcription, the whole answer or event stream), in seconds.'),
  logMaxMiB: count({ above: 0 })
    .default(DEFAULTS.logMaxMiB)
    .describe("The service log's cap while the drill holds the service, in MiB: past it, all but its first MiB is dropped, and the log and the report say so."),
  env,
  apiKeyEnv,
  models,
}).describe('How to start the restored service and when it is ready.');
