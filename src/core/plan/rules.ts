/**
 * The plan format's vocabulary: which keys each mapping accepts, the value patterns and the
 * defaults. drills/plan.schema.json describes the same format for editors; a test keeps the two in step.
 */
import type { TranscriptionApi } from './types.js';

/** Accepted keys per mapping, by section path ("assertions[]" = an item of the assertions list). */
export const PLAN_KEYS = {
  '': ['name', 'description', 'snapshot', 'environment', 'install', 'service', 'assertions', 'report'],
  snapshot: ['repo', 'tags', 'requireSignedTag', 'allowedSigners'],
  environment: ['python', 'nvidia', 'torch', 'ffmpeg', 'disk', 'ports'],
  'environment.python': ['command', 'version'],
  'environment.nvidia': ['required', 'cuda', 'minFreeMiB'],
  'environment.torch': ['required', 'version', 'cuda', 'python'],
  'environment.ffmpeg': ['required', 'decoders'],
  'environment.disk': ['minFreeGiB'],
  install: ['commands', 'timeoutSec'],
  service: ['start', 'url', 'ready', 'stopTimeoutSec', 'env'],
  'service.ready': ['path', 'timeoutSec'],
  'assertions[]': ['name', 'api', 'audio', 'language', 'expect', 'endpoint', 'command', 'required'],
  'assertions[].expect': ['contains', 'maxCER', 'empty'],
  /** An assertion item with a gpuMemoryMiB key is a GPU memory assertion. */
  'assertions[]:gpu-memory': ['name', 'gpuMemoryMiB', 'required'],
  'assertions[].gpuMemoryMiB': ['min', 'max'],
  report: ['dir'],
} as const satisfies Record<string, readonly string[]>;

export const TRANSCRIPTION_APIS: readonly TranscriptionApi[] = ['gradio', 'openai', 'whisper-cpp', 'asr-webservice', 'command'];

/** A plan name names a report folder: letters, digits, ".", "_", "-", and not "." or "..". */
export const NAME_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._-]+$';

/** ">=3.9", "12.1", ">=2.1,<3": each comma-separated part is an optional operator and a dotted number. */
export const VERSION_RANGE_PATTERN =
  '^\\s*(>=|<=|>|<|=)?\\s*\\d+(\\.\\d+)*\\s*(,\\s*(>=|<=|>|<|=)?\\s*\\d+(\\.\\d+)*\\s*)*$';

/** Names accepted for service environment variables. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

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
  reportDir: 'drill-reports',
} as const;

const nameRe = new RegExp(NAME_PATTERN);
const versionRe = new RegExp(VERSION_RANGE_PATTERN);
const envNameRe = new RegExp(ENV_NAME_PATTERN);

export const isPlanName = (s: string): boolean => nameRe.test(s);
export const isVersionRange = (s: string): boolean => versionRe.test(s);
export const isEnvName = (s: string): boolean => envNameRe.test(s);

export function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
