/**
 * `backup:`: what `whisper-drill snapshot` gathers from the live service folder into the backup
 * repository (snapshot.repo), and how it names, checks and ages what it makes.
 */
import * as z from 'zod';
import { count, flag, list, mapping, matching, nonBlank } from './fields.js';
import { POLICY_AGE_PATTERN } from './rules.js';

export const BACKUP_DEFAULTS = {
  files: ['config.yaml', 'configuration.json', 'app.py', 'requirements.txt', 'example/'],
  lfs: ['models/*.pt', '*.wav', 'wheels/*.whl'],
  maxBlobMiB: 10,
  branch: 'main',
  tagFormat: 'v{date}-{short}',
} as const;

const model = mapping({
  from: nonBlank().describe('Where the service really loads the model (~ is the home directory): the snapshot copies it from there, and a restore links the restored file back there.'),
  to: nonBlank().describe('Its path in the backup, e.g. models/large-v3.pt (an LFS file).'),
}).describe('A model file: where the service loads it, and where the backup keeps it.');

export const backup = mapping({
  from: nonBlank().describe('The live service folder (~ is the home directory; relative paths from the plan file). `snapshot --from` overrides it.'),
  files: list(nonBlank().describe('A file, or a folder ending in "/" (all of it), relative to from.'))
    .default([...BACKUP_DEFAULTS.files])
    .describe(`What the backup holds of the service folder (default ${BACKUP_DEFAULTS.files.join(', ')}).`),
  models: list(model).default([]).describe('The model files, wherever the service loads them from.'),
  lfs: list(nonBlank().describe('A .gitattributes pattern.'))
    .default([...BACKUP_DEFAULTS.lfs])
    .describe('Patterns kept in Git LFS (written to .gitattributes).'),
  wheelhouse: flag()
    .default(false)
    .describe("Download requirements.txt's wheels for this node's Python and platform into wheels/ (LFS), so a restore installs offline from them alone."),
  maxBlobMiB: count({ above: 0 })
    .default(BACKUP_DEFAULTS.maxBlobMiB)
    .describe(`A file larger than this (MiB) that LFS does not track is refused (default ${BACKUP_DEFAULTS.maxBlobMiB}).`),
  branch: nonBlank().default(BACKUP_DEFAULTS.branch).describe(`The branch the snapshots are committed on (default ${BACKUP_DEFAULTS.branch}).`),
  tagFormat: nonBlank()
    .default(BACKUP_DEFAULTS.tagFormat)
    .describe('The new tag\'s name: {date} is the UTC date (YYYYMMDD), {time} the UTC time (HHMMSS), {short} the commit\'s 7-character id.'),
  maxAge: matching('an age such as "7d", "2w" or "36h"', new RegExp(POLICY_AGE_PATTERN))
    .optional()
    .describe('The recovery point objective: `check` fails when the newest tag is older than this and the live node differs from it (warns below it).'),
  allowSecretsIn: list(nonBlank().describe('A path as the backup holds it.'))
    .default([])
    .describe('Files that may hold credential-shaped text (otherwise refused: a token committed stays in the history forever).'),
})
  .optional()
  .describe('What `whisper-drill snapshot` gathers from the live service into the backup, and how it names the tag.');
