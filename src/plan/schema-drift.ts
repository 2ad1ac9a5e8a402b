/**
 * `environment.drift`: how much each difference between this node and the chosen tag's
 * environment.lock.yaml matters. fail fails the step that found it, warn warns, info is only shown,
 * ignore leaves it out.
 */
import * as z from 'zod';
import { mapping } from './fields.js';
import { expectedMessage } from './messages.js';

export const DRIFT_SEVERITIES = ['fail', 'warn', 'info', 'ignore'] as const;
export type DriftSetting = (typeof DRIFT_SEVERITIES)[number];

const severity = (fallback: DriftSetting, what: string) =>
  z
    .enum(DRIFT_SEVERITIES, { error: (iss) => expectedMessage('one of fail, warn, info, ignore', iss.input) })
    .default(fallback)
    .describe(`${what} (default ${fallback}).`);

type VersionDefaults = Readonly<Record<'major' | 'minor' | 'patch' | 'missing' | 'added', DriftSetting>>;

const version = (what: string, d: VersionDefaults) =>
  mapping({
    major: severity(d.major, 'A different major version'),
    minor: severity(d.minor, 'A different minor version'),
    patch: severity(d.patch, 'Any smaller difference (patch release, build label)'),
    missing: severity(d.missing, 'Recorded with the snapshot, absent here'),
    added: severity(d.added, 'Absent when recorded, present here'),
  })
    .prefault({})
    .describe(what);

const CRITICAL: VersionDefaults = { major: 'fail', minor: 'warn', patch: 'warn', missing: 'fail', added: 'info' };
const HOST: VersionDefaults = { major: 'warn', minor: 'info', patch: 'info', missing: 'warn', added: 'info' };

export const drift = mapping({
  torch: version('The PyTorch version.', CRITICAL),
  cuda: version("The CUDA version torch was built for (a CPU-only build has none).", CRITICAL),
  cudnn: version("torch's cuDNN.", { ...CRITICAL, patch: 'info' }),
  python: version("The Python that installs the service.", { ...CRITICAL, patch: 'info' }),
  driver: version('The NVIDIA driver.', HOST),
  driverCuda: version("The highest CUDA the driver supports.", HOST),
  ffmpeg: version('The FFmpeg binary.', { ...HOST, missing: 'fail' }),
  packages: version("Each package of the service's venv (pip freeze).", HOST),
  os: severity('warn', 'A different operating system release'),
  gpu: severity('warn', 'A different GPU model or number of GPUs'),
  decoders: severity('fail', 'An FFmpeg decoder recorded with the snapshot and missing here'),
}).describe(
    "How much each difference from the chosen tag's environment.lock.yaml matters: fail fails the step that finds it (snapshot for the host, install for torch and packages), warn warns, info is shown, ignore is left out.",
  );

export type DriftPlan = z.output<typeof drift>;

/** The plan's severities; a plan without environment.drift gets every default. */
export const driftSettings = (plan: { readonly environment: { readonly drift?: DriftPlan } }): DriftPlan => plan.environment.drift ?? DEFAULT_DRIFT;

/** The severities of a plan that sets none. */
export const DEFAULT_DRIFT: DriftPlan = drift.parse({});
