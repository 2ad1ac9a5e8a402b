/**
 * The plan format's vocabulary: value patterns, the transcription APIs and the defaults. The
 * schema (schema*.ts) is built from these; drills/plan.schema.json is generated from the schema.
 */

export const TRANSCRIPTION_APIS = ['gradio', 'openai', 'whisper-cpp', 'asr-webservice', 'command'] as const;

/** A plan name names a report folder: letters, digits, ".", "_", "-", and not "." or "..". */
export const NAME_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._-]+$';

/** Names accepted for service environment variables. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** What JSON Schema can say about a service URL; isHttpUrl checks the rest. */
export const HTTP_URL_PATTERN = '^https?://[^\\s/]+';

/** A drill policy's maximum age: a whole number of hours, days or weeks. */
export const POLICY_AGE_PATTERN = '^[1-9][0-9]*[hdw]$';

const AGE_UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** "90d" → milliseconds; the plan's schema has already checked the form. */
export function policyAgeMs(every: string): number {
  const unit = every.slice(-1) as keyof typeof AGE_UNIT_MS;
  return Number(every.slice(0, -1)) * AGE_UNIT_MS[unit];
}

export const GOAL_PATTERN = '^[1-9][0-9]*[smh]$';

const GOAL_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "15m" → milliseconds; the plan's schema has already checked the form. */
export function goalMs(goal: string): number {
  const unit = goal.slice(-1) as keyof typeof GOAL_UNIT_MS;
  return Number(goal.slice(0, -1)) * GOAL_UNIT_MS[unit];
}

export const DEFAULTS = {
  tags: 'v*',
  requireSignedTag: false,
  pythonCommand: 'python3',
  required: true,
  decoders: [] as readonly string[],
  ports: [] as readonly number[],
  installTimeoutSec: 1800,
  readyPath: '/',
  readyTimeoutSec: 600,
  stopTimeoutSec: 10,
  requestTimeoutSec: 300,
  logMaxMiB: 256,
  reportDir: 'drill-reports',
} as const;

export function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
