/**
 * A new plan as commented YAML: the operator's answers, what the service said about itself and what
 * this node's GPU check measured, each line saying where its value came from. The plan loader reads
 * it back before `init` calls it written.
 */
import path from 'node:path';
import YAML from 'yaml';
import type { ServiceDetection } from '../service/detect.js';
import type { PlanAnswers } from './answers.js';
import type { BackupGuess } from './backup-guess.js';
import { LARGE_V3, type GpuExpectation } from './gpu.js';

/** One scalar, quoted only when YAML needs it. */
const q = (value: string | number | boolean): string => YAML.stringify(value, { lineWidth: 0 }).trim();

/** FFmpeg decoders the sample's format needs (the service decodes it with the ffmpeg binary). */
function decodersFor(audio: string): string[] {
  const ext = path.extname(audio).toLowerCase();
  const known: Record<string, string> = { '.wav': 'pcm_s16le', '.mp3': 'mp3', '.flac': 'flac', '.ogg': 'vorbis', '.m4a': 'aac' };
  return known[ext] ? [known[ext]] : [];
}

export interface PlanTextInput {
  readonly answers: PlanAnswers;
  readonly service: ServiceDetection;
  readonly gpu: GpuExpectation;
  /** The schema, relative to the plan file's directory. */
  readonly schemaRef: string;
  /** The newest tag when the plan was written, for the header. */
  readonly newestTag: string;
  /** Where the running service lives and loads its model (./backup-guess.ts), for `snapshot`. */
  readonly backup?: BackupGuess;
}

function backupLines({ backup }: PlanTextInput): string[] {
  if (!backup) return [];
  const models = backup.models.length
    ? ['  models:                        # where the service loads each model, and where the backup keeps it', ...backup.models.map((model) => `    - { from: ${q(model.from)}, to: ${q(model.to)} }`)]
    : ['  models: []                     # none seen under models/ or ~/.cache/whisper: add { from: …, to: models/… }'];
  return [
    'backup:                          # what `whisper-drill snapshot` gathers into snapshot.repo (docs/snapshot.md)',
    backup.from ? `  from: ${q(backup.from)}   # ${backup.how}` : `  from: /path/to/the/service     # ${backup.how}`,
    '  files: [config.yaml, configuration.json, app.py, requirements.txt, example/]',
    ...models,
    '  lfs: ["models/*.pt", "*.wav", "wheels/*.whl"]',
    '  wheelhouse: true               # wheels/ for this node: a restore installs offline from them alone',
  ];
}

function serviceLines({ answers, service }: PlanTextInput): string[] {
  const version = `${service.server}${service.version ? ` ${service.version}` : ''}`;
  return [
    `service:                         # probed at ${answers.url}: ${version}, api ${service.api}`,
    `  start: ${q(answers.start)}`,
    `  url: ${q(answers.url)}`,
    `  ready: { path: ${q(service.readyPath)}, timeoutSec: 600 }`,
    '  stopTimeoutSec: 10',
    ...(answers.apiKeyEnv ? [`  apiKeyEnv: ${q(answers.apiKeyEnv)}             # the key itself stays in the environment`] : []),
  ];
}

function assertionLines({ answers, service, gpu }: PlanTextInput): string[] {
  const { min, max } = LARGE_V3.usedMiB;
  return [
    'assertions:',
    '  - name: sample transcribes',
    `    api: ${service.api}`,
    ...(service.api === 'gradio' ? [`    endpoint: ${q(service.endpoint)}          # found in the app's /info`] : []),
    ...(service.model ? [`    model: ${q(service.model)}`] : []),
    `    audio: ${q(answers.audio)}`,
    ...(answers.language ? [`    language: ${q(answers.language)}`] : []),
    `    expect: { contains: ${q(answers.expect)}, maxCER: 0.1 }`,
    '  # - name: silence control       # a clip of silence must not come back as hallucinated text',
    `  #   api: ${service.api}`,
    '  #   audio: example/silence.wav',
    '  #   expect: { empty: true }',
    '  - name: model resident on GPU',
    `    gpuMemoryMiB: { min: ${min}, max: ${max} }   # large-v3 uses ~10 GB`,
    `    required: ${gpu.required}${gpu.required ? '' : '              # no GPU on the node that wrote this plan'}`,
  ];
}

export function renderPlanText(input: PlanTextInput): string {
  const { answers, gpu } = input;
  const decoders = decodersFor(answers.audio);
  const port = new URL(answers.url).port || (answers.url.startsWith('https:') ? '443' : '80');
  const nvidia = gpu.required
    ? `{ required: true${gpu.cuda ? `, cuda: ${q(gpu.cuda)}` : ''}, minFreeMiB: ${LARGE_V3.minFreeMiB} }`
    : '{ required: false }';
  const lines = [
    `# yaml-language-server: $schema=${input.schemaRef}`,
    `# Written by whisper-drill init; newest snapshot then: ${input.newestTag}.`,
    `name: ${q(answers.name)}`,
    'snapshot:',
    `  repo: ${q(answers.repo)}`,
    `  tags: ${q(answers.tags)}`,
    '  requireSignedTag: false        # true + allowedSigners: verify the tag before any of its code runs',
    'environment:',
    "  python: { command: python3, version: \">=3.9\" }",
    `  nvidia: ${nvidia}   # this node: ${gpu.measured.replace(/\s+/g, ' ')}`,
    `  ffmpeg: { required: true, decoders: [${decoders.join(', ')}] }   # the service decodes ${path.basename(answers.audio)} with ffmpeg`,
    '  disk: { minFreeGiB: auto }     # LFS bytes of the chosen tag x 2 + 1',
    `  ports: [${port}]                  # must be free when the drill starts its own service`,
    ...(answers.install.length
      ? ['install:', ...answers.install.map((command) => `  - ${q(command)}`)]
      : ['install: []                     # nothing to install']),
    ...serviceLines(input),
    ...assertionLines(input),
    'report:',
    `  dir: ${q(answers.reportDir)}`,
    ...backupLines(input),
  ];
  return `${lines.join('\n')}\n`;
}
