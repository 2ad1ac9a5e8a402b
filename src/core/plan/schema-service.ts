/** The plan's `service` section: how to start the restored service and when it is ready. */
import { count, ifNoProblemYet, list, mapping, namedStrings, nonBlank, text } from './fields.js';
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
})
  .prefault({})
  .describe('Readiness probe: an HTTP GET that must answer.');

const env = namedStrings('an environment variable name ([A-Za-z_][A-Za-z0-9_]*)', new RegExp(ENV_NAME_PATTERN))
  .optional()
  .describe('Extra environment variables for the service. Values must be strings (quote numbers).');

export const service = mapping({
  start: nonBlank().describe('Start command, run through a shell in the workspace in its own process group.'),
  url,
  ready,
  stopTimeoutSec: count({ min: 0 })
    .default(DEFAULTS.stopTimeoutSec)
    .describe('Seconds between SIGTERM and SIGKILL when stopping the service.'),
  env,
}).describe('How to start the restored service and when it is ready.');
