/**
 * environment.lock.yaml: the environment a snapshot was verified on, written by `check --record` for
 * the backup job to commit with each tag. A section set to null was measured as absent (no NVIDIA
 * driver); a section left out was not measured (the plan does not probe torch).
 */
import YAML from 'yaml';
import * as z from 'zod';

export const LOCK_FILE = 'environment.lock.yaml';

const lockSchema = z.object({
  lockVersion: z.literal(1),
  recordedAt: z.string(),
  recordedBy: z.string(),
  host: z.string().optional(),
  os: z.string().nullable().optional(),
  python: z.string().nullable().optional(),
  torch: z.object({ version: z.string(), cuda: z.string().nullable(), cudnn: z.string().nullable() }).nullable().optional(),
  nvidia: z.object({ driver: z.string(), cuda: z.string().nullable(), gpus: z.array(z.string()) }).nullable().optional(),
  ffmpeg: z.object({ version: z.string(), decoders: z.array(z.string()) }).nullable().optional(),
  packages: z.array(z.string()).nullable().optional(),
  /** The backup's wheelhouse (`snapshot` with backup.wheelhouse): each wheel and its sha256. */
  wheels: z.array(z.object({ file: z.string(), sha256: z.string() })).optional(),
});

export type EnvironmentLock = z.output<typeof lockSchema>;
/** What this node measured, in the lock's terms (without the recording's own fields). */
export type MeasuredEnvironment = Omit<EnvironmentLock, 'lockVersion' | 'recordedAt' | 'recordedBy'>;

export function parseLock(text: string): { lock: EnvironmentLock } | { problem: string } {
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (error) {
    return { problem: `${LOCK_FILE} is not YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  const parsed = lockSchema.safeParse(data);
  if (parsed.success) return { lock: parsed.data };
  const issue = parsed.error.issues[0];
  return { problem: `${LOCK_FILE}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}` };
}

type Fact = { readonly ok: boolean; readonly reason?: string } & Record<string, unknown>;

/** undefined: not measured; null: measured as absent (not installed); else the section. */
function section<T>(fact: unknown, read: (fact: Fact) => T): T | null | undefined {
  if (fact === undefined || fact === null || typeof fact !== 'object') return undefined;
  const f = fact as Fact;
  if (!f.ok) return f.reason === 'missing' ? null : undefined;
  return read(f);
}

const str = (value: unknown) => (typeof value === 'string' ? value : null);
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The environment facts the probes found (record.environment.facts), in the lock's terms. */
export function measuredEnvironment(facts: Readonly<Record<string, unknown>>): MeasuredEnvironment {
  const entries: Partial<Record<keyof MeasuredEnvironment, unknown>> = {
    host: section(facts['os'], (f) => str(f['hostname']) ?? undefined) ?? undefined,
    os: section(facts['os'], (f) => str(f['name'])),
    python: section(facts['python'], (f) => str(f['version'])),
    torch: section(facts['torch'], (f) => ({ version: str(f['version']) ?? '', cuda: str(f['cuda']), cudnn: str(f['cudnn']) })),
    nvidia: section(facts['nvidia'], (f) => ({
      driver: str(f['driverVersion']) ?? '',
      cuda: str(f['cudaVersion']),
      gpus: (Array.isArray(f['gpus']) ? f['gpus'] : []).map((gpu: { name?: unknown }) => str(gpu.name) ?? '?'),
    })),
    ffmpeg: section(facts['ffmpeg'], (f) => ({ version: str(f['version']) ?? '', decoders: strings(f['decodersPresent']) })),
    packages: section(facts['pip'], (f) => strings(f['packages'])),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as MeasuredEnvironment;
}

export function formatLock(measured: MeasuredEnvironment, recordedAt: Date, recordedBy: string): string {
  const lock: EnvironmentLock = { lockVersion: 1, recordedAt: recordedAt.toISOString(), recordedBy, ...measured };
  return [
    '# The environment this snapshot was verified on, written by `whisper-drill check --record`.',
    '# A drill of the tag (and `whisper-drill check --against TAG`) compares the node with it.',
    '# null: measured as absent; a section left out was not measured.',
    YAML.stringify(lock, { lineWidth: 0 }),
  ].join('\n');
}
