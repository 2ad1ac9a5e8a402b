/** The plan's `environment` section: what the host must have, probed in the environment step. */
import * as z from 'zod';
import { isValidRange, VERSION_RANGE_PATTERN } from '../model/version-range.js';
import { count, either, flag, isList, list, mapping, nonBlank, rule, text } from './fields.js';
import { DEFAULTS } from './rules.js';
import { drift } from './schema-drift.js';

/**
 * Checked with the parser the probes compare versions with (model/version-range.ts); the pattern is
 * the same grammar spelled for JSON Schema.
 */
export const versionRange = text('a version range such as ">=3.9" or ">=2.1,<3"')
  .refine(isValidRange)
  .meta({
    id: 'versionRange',
    pattern: VERSION_RANGE_PATTERN,
    description:
      'Version range: comma-separated parts, each an optional operator (>=, >, <=, <, ==, =, !=) and a dotted number, e.g. ">=2.1,<3".',
  });

const required = (what: string) =>
  flag()
    .default(DEFAULTS.required)
    .describe(`Whether ${what} is required: a required check that fails fails the drill; when false, a failure is reported as a warning.`);

const python = mapping({
  command: nonBlank().default(DEFAULTS.pythonCommand).describe('Python command to probe.'),
  version: versionRange.optional().describe('Required Python version, e.g. ">=3.9".'),
}).describe('The Python interpreter used by the install commands.');

const nvidia = mapping({
  required: required('an NVIDIA GPU'),
  cuda: versionRange.optional().describe('CUDA version the driver must support, e.g. ">=12.1".'),
  minFreeMiB: count({ min: 0 }).optional().describe('Free GPU memory needed before the drill starts, in MiB.'),
}).describe('NVIDIA driver, CUDA and GPU memory.');

const torch = mapping({
  required: required('PyTorch'),
  version: versionRange.optional().describe('Required PyTorch version, e.g. ">=2.1".'),
  cuda: flag().optional().describe('Whether PyTorch must be a CUDA build that sees the GPU.'),
  python: nonBlank()
    .optional()
    .describe('Python used for the probe, relative to the workspace (default .venv/bin/python).'),
}).describe("PyTorch, probed with the service's Python after the install step.");

const ffmpeg = mapping({
  required: required('FFmpeg'),
  decoders: list(nonBlank().describe('An FFmpeg decoder name.'))
    .default(() => [...DEFAULTS.decoders])
    .describe('FFmpeg decoders that must be available, e.g. pcm_s16le, mp3.'),
}).describe('The FFmpeg binary and the decoders the service needs.');

const disk = mapping({
  minFreeGiB: either(count({ min: 0 }), z.literal('auto'), 'a number of GiB or "auto"').describe(
    'Free space needed in GiB, or "auto" = LFS bytes of the chosen tag x 2 + 1 GiB.',
  ),
}).describe('Free disk space in the workspace, checked before downloading.');

const port = count({ integer: true, min: 1, max: 65535 }).describe('A TCP port.');

/** A port listed twice is reported at its second mention (invalid ports are reported as such, not as duplicates). */
const ports = rule(list(port), { uniqueItems: true }, isList, (items, report) => {
  const seen = new Set<unknown>();
  items.forEach((item, i) => {
    if (!port.safeParse(item).success) return;
    if (seen.has(item)) report([i], `duplicate port ${String(item)}`);
    seen.add(item);
  });
});

export const environment = mapping({
  python: python.optional(),
  nvidia: nvidia.optional(),
  torch: torch.optional(),
  ffmpeg: ffmpeg.optional(),
  disk: disk.optional(),
  ports: ports.default(() => [...DEFAULTS.ports]).describe('TCP ports that must be free before the service starts.'),
  drift: drift.optional(),
})
  .prefault({})
  .describe(
    'Requirements of the host, probed in the environment step. Every subsection is optional; an absent subsection is not checked.',
  );
