/**
 * A drill plan: trusted operator configuration (like a Makefile). The types are those of the plan
 * schema's output (schema.ts, which documents each field), read-only, plus what the loader adds.
 */
import type { z } from 'zod';
import type { PlanSchema } from './schema.js';

/** Read-only all the way down: a loaded plan is never changed. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Plan = DeepReadonly<
  z.output<typeof PlanSchema> & {
    /** Absolute path of the plan file; relative paths in the plan resolve against its directory. */
    file: string;
    /** sha256 of the plan file's bytes, for the report. */
    sha256: string;
  }
>;

/** allowedSigners is written relative to the plan file and loaded as an absolute path. */
export type SnapshotPlan = Plan['snapshot'];
export type EnvironmentPlan = Plan['environment'];
export type VersionRequirement = NonNullable<EnvironmentPlan['python']>;
export type NvidiaRequirement = NonNullable<EnvironmentPlan['nvidia']>;
export type TorchRequirement = NonNullable<EnvironmentPlan['torch']>;
export type FfmpegRequirement = NonNullable<EnvironmentPlan['ffmpeg']>;
export type ServicePlan = Plan['service'];

/** `kind` is added by the loader: an item with gpuMemoryMiB is a GPU memory assertion. */
export type Assertion = Plan['assertions'][number];
export type TranscriptionAssertion = Extract<Assertion, { kind: 'transcription' }>;
export type GpuMemoryAssertion = Extract<Assertion, { kind: 'gpu-memory' }>;
export type TranscriptionApi = TranscriptionAssertion['api'];
export type ExpectedTranscript = TranscriptionAssertion['expect'];
