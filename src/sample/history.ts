/** The sample backup's history: what each nightly commit changed, and the tag it got. */

export interface SampleRevision {
  readonly tag: string;
  readonly message: string;
  readonly commit: string;
  /** ISO date, fixed so the repository is the same on every machine. */
  readonly date: string;
  /** Model variant written to models/large-v3.pt, when this revision changes the weights. */
  readonly model?: number;
  /** Files (relative to the tree) rewritten by this revision. */
  readonly files?: Readonly<Record<string, string>>;
  readonly signed?: boolean;
  /** After the push, corrupt this revision's model object in the remote's LFS store. */
  readonly corruptRemoteModel?: boolean;
  /** A file of fixtures/sample-locks/ committed as environment.lock.yaml (the environment the tag was verified on). */
  readonly lock?: string;
}

const TUNED_CONFIG = `# Whisper service configuration
model: large-v3
device: cuda
language: auto
task: transcribe
beam_size: 5
best_of: 5
temperature: 0.0
fp16: true
`;

export const SAMPLE_HISTORY: readonly SampleRevision[] = [
  {
    tag: 'v1.0-model-large-v3',
    message: 'Whisper large-v3 service, verified after deployment',
    commit: 'Back up the large-v3 service',
    date: '2026-03-02T02:00:00Z',
    model: 1,
  },
  {
    tag: 'v1.1-broken-model',
    message: 'Nightly backup with re-exported weights',
    commit: 'Re-export model weights',
    date: '2026-04-06T02:00:00Z',
    model: 2,
    corruptRemoteModel: true,
  },
  {
    tag: 'v1.2-config-tuned',
    message: 'Weights restored from v1.0; beam search tuned',
    commit: 'Restore v1.0 weights, tune beam search',
    date: '2026-05-04T02:00:00Z',
    model: 1,
    files: { 'config.yaml': TUNED_CONFIG },
    lock: 'v1.2-config-tuned.yaml',
  },
  {
    tag: 'v1.3-signed-release',
    message: 'Signed release after the Q2 drill',
    commit: 'Record the Q2 drill',
    date: '2026-06-01T02:00:00Z',
    files: { 'DRILLS.md': '# Drills\n\n- 2026-Q2: restored v1.2-config-tuned in 41 s, transcription verified.\n' },
    signed: true,
    lock: 'v1.3-signed-release.yaml',
  },
];
