/** A drill plan: trusted operator configuration (like a Makefile). See drills/plan.schema.json. */

export type TranscriptionApi = 'gradio' | 'openai' | 'whisper-cpp' | 'asr-webservice' | 'command';

export interface SnapshotPlan {
  /** https, ssh or file:// URL (or an absolute path) of the backup repository. */
  readonly repo: string;
  /** Glob that selects which tags are snapshots, e.g. "v*". */
  readonly tags: string;
  readonly requireSignedTag: boolean;
  /** allowed_signers file for SSH-signed tags: written relative to the plan file, loaded as an absolute path. */
  readonly allowedSigners?: string;
}

export interface VersionRequirement {
  readonly command: string;
  /** A semver-ish range such as ">=3.9". */
  readonly version?: string;
}

export interface NvidiaRequirement {
  readonly required: boolean;
  readonly cuda?: string;
  readonly minFreeMiB?: number;
}

export interface TorchRequirement {
  readonly required: boolean;
  readonly version?: string;
  readonly cuda?: boolean;
  /** Python used for the probe, relative to the workspace; defaults to .venv/bin/python. */
  readonly python?: string;
}

export interface FfmpegRequirement {
  readonly required: boolean;
  readonly decoders: readonly string[];
}

export interface EnvironmentPlan {
  readonly python?: VersionRequirement;
  readonly nvidia?: NvidiaRequirement;
  readonly torch?: TorchRequirement;
  readonly ffmpeg?: FfmpegRequirement;
  /** "auto" = LFS bytes of the chosen tag x 2 + 1 GiB. */
  readonly disk?: { readonly minFreeGiB: number | 'auto' };
  readonly ports: readonly number[];
}

export interface ServicePlan {
  readonly start: string;
  readonly url: string;
  readonly ready: { readonly path: string; readonly timeoutSec: number };
  readonly stopTimeoutSec: number;
  /** Extra environment variables for the service (values are passed as-is, never through a shell). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExpectedTranscript {
  readonly contains?: string;
  readonly maxCER?: number;
  /** Silence control: the transcript must be (nearly) empty. */
  readonly empty?: boolean;
}

export interface TranscriptionAssertion {
  readonly kind: 'transcription';
  readonly name: string;
  readonly api: TranscriptionApi;
  readonly audio: string;
  readonly language?: string;
  readonly expect: ExpectedTranscript;
  /** Gradio endpoint name (e.g. "/predict"); discovered from /info when absent. */
  readonly endpoint?: string;
  /** For api: command — argv run in the workspace, audio path appended; stdout is the transcript. */
  readonly command?: string;
  readonly required: boolean;
}

export interface GpuMemoryAssertion {
  readonly kind: 'gpu-memory';
  readonly name: string;
  readonly gpuMemoryMiB: { readonly min?: number; readonly max?: number };
  readonly required: boolean;
}

export type Assertion = TranscriptionAssertion | GpuMemoryAssertion;

export interface Plan {
  readonly name: string;
  readonly description?: string;
  /** Absolute path of the plan file; relative paths in the plan resolve against its directory. */
  readonly file: string;
  /** sha256 of the plan file's bytes, for the report. */
  readonly sha256: string;
  readonly snapshot: SnapshotPlan;
  readonly environment: EnvironmentPlan;
  readonly install: readonly string[];
  /** Time limit of the install step. */
  readonly installTimeoutSec: number;
  readonly service: ServicePlan;
  readonly assertions: readonly Assertion[];
  readonly report: { readonly dir: string };
}
