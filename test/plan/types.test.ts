/**
 * The plan types are derived from the schema; the rest of the code relies on their shapes. These
 * are the shapes as they were written by hand before (plus service.ready.statuses and sendApiKey,
 * service.apiKeyEnv and an assertion's model), checked by
 * tsc (`npm run typecheck`): a schema change that alters a type fails here.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as T from '../../src/plan/types.js';

type TranscriptionApi = 'gradio' | 'openai' | 'whisper-cpp' | 'asr-webservice' | 'command';
interface SnapshotAuth { readonly usernameEnv?: string; readonly passwordEnv?: string; readonly tokenEnv?: string; readonly username?: string }
interface SnapshotPlan { readonly repo: string; readonly tags: string; readonly requireSignedTag: boolean; readonly allowedSigners?: string; readonly auth?: SnapshotAuth }
interface VersionRequirement { readonly command: string; readonly version?: string }
interface NvidiaRequirement { readonly required: boolean; readonly cuda?: string; readonly minFreeMiB?: number }
interface TorchRequirement { readonly required: boolean; readonly version?: string; readonly cuda?: boolean; readonly python?: string }
interface FfmpegRequirement { readonly required: boolean; readonly decoders: readonly string[] }
type DriftSetting = 'fail' | 'warn' | 'info' | 'ignore';
interface VersionDrift { readonly major: DriftSetting; readonly minor: DriftSetting; readonly patch: DriftSetting; readonly missing: DriftSetting; readonly added: DriftSetting }
interface DriftPlan {
  readonly torch: VersionDrift;
  readonly cuda: VersionDrift;
  readonly cudnn: VersionDrift;
  readonly python: VersionDrift;
  readonly driver: VersionDrift;
  readonly driverCuda: VersionDrift;
  readonly ffmpeg: VersionDrift;
  readonly packages: VersionDrift;
  readonly os: DriftSetting;
  readonly gpu: DriftSetting;
  readonly decoders: DriftSetting;
}
interface EnvironmentPlan {
  readonly python?: VersionRequirement;
  readonly nvidia?: NvidiaRequirement;
  readonly torch?: TorchRequirement;
  readonly ffmpeg?: FfmpegRequirement;
  readonly disk?: { readonly minFreeGiB: number | 'auto' };
  readonly ports: readonly number[];
  readonly drift?: DriftPlan;
}
interface ServicePlan {
  readonly start: string;
  readonly url: string;
  readonly ready: { readonly path: string; readonly timeoutSec: number; readonly statuses?: readonly number[]; readonly sendApiKey?: boolean };
  readonly stopTimeoutSec: number;
  readonly requestTimeoutSec: number;
  readonly logMaxMiB: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly apiKeyEnv?: string;
  readonly models?: readonly string[];
}
interface ExpectedTranscript { readonly contains?: string; readonly maxCER?: number; readonly empty?: boolean }
interface TranscriptionAssertion {
  readonly kind: 'transcription';
  readonly name: string;
  readonly api: TranscriptionApi;
  readonly audio: string;
  readonly language?: string;
  readonly expect: ExpectedTranscript;
  readonly endpoint?: string;
  readonly model?: string;
  readonly command?: string;
  readonly required: boolean;
}
interface GpuMemoryAssertion {
  readonly kind: 'gpu-memory';
  readonly name: string;
  readonly gpuMemoryMiB: { readonly min?: number; readonly max?: number };
  readonly required: boolean;
}
type Assertion = TranscriptionAssertion | GpuMemoryAssertion;
interface Plan {
  readonly name: string;
  readonly description?: string;
  readonly file: string;
  readonly sha256: string;
  readonly snapshot: SnapshotPlan;
  readonly environment: EnvironmentPlan;
  readonly install: readonly string[];
  readonly installTimeoutSec: number;
  readonly wheelhouse: string | false | undefined;
  readonly service: ServicePlan;
  readonly assertions: readonly Assertion[];
  readonly report: { readonly dir: string };
  readonly policy?: { readonly every: string };
  readonly isolation: { readonly home: 'scratch' | 'host'; readonly network: 'namespace' | 'host'; readonly allowConnections?: readonly string[] };
  readonly audit?: { readonly mustRestore?: string };
  readonly rto?: { readonly goal?: string; readonly overlap?: boolean };
  readonly backup?: {
    readonly from: string;
    readonly files: readonly string[];
    readonly models: readonly { readonly from: string; readonly to: string }[];
    readonly lfs: readonly string[];
    readonly wheelhouse: boolean;
    readonly maxBlobMiB: number;
    readonly branch: string;
    readonly tagFormat: string;
    readonly maxAge?: string;
    readonly allowSecretsIn: readonly string[];
  };
}

describe('plan types derived from the schema', () => {
  it('keep the shapes the rest of the code uses', () => {
    expectTypeOf<T.TranscriptionApi>().toEqualTypeOf<TranscriptionApi>();
    expectTypeOf<T.SnapshotPlan>().toEqualTypeOf<SnapshotPlan>();
    expectTypeOf<T.VersionRequirement>().toEqualTypeOf<VersionRequirement>();
    expectTypeOf<T.NvidiaRequirement>().toEqualTypeOf<NvidiaRequirement>();
    expectTypeOf<T.TorchRequirement>().toEqualTypeOf<TorchRequirement>();
    expectTypeOf<T.FfmpegRequirement>().toEqualTypeOf<FfmpegRequirement>();
    expectTypeOf<T.EnvironmentPlan>().toEqualTypeOf<EnvironmentPlan>();
    expectTypeOf<T.ServicePlan>().toEqualTypeOf<ServicePlan>();
    expectTypeOf<T.ExpectedTranscript>().toEqualTypeOf<ExpectedTranscript>();
    expectTypeOf<T.TranscriptionAssertion>().toEqualTypeOf<TranscriptionAssertion>();
    expectTypeOf<T.GpuMemoryAssertion>().toEqualTypeOf<GpuMemoryAssertion>();
    expectTypeOf<T.Assertion>().toEqualTypeOf<Assertion>();
    expectTypeOf<T.Plan>().toEqualTypeOf<Plan>();
  });
});
