/**
 * The init wizard as a pure reducer: one question at a time, each prefilled with its default
 * (Enter takes it). A question whose answer must be checked — the repository's tags, the service,
 * the sample in the snapshot, the plan file — sets `task`; the wizard runs it and answers with
 * `found` (go on) or `problem` (ask again, saying why).
 */
import type { PlanAnswers } from '../../init/answers.js';

export type Question = 'repo' | 'tags' | 'install' | 'start' | 'url' | 'apiKeyEnv' | 'audio' | 'expect' | 'language' | 'reportDir' | 'out' | 'overwrite';
export type Task = 'list-tags' | 'probe' | 'check-audio' | 'check-file' | 'write';

export const QUESTIONS: Record<Question, string> = {
  repo: 'Backup repository (https, ssh, file:// or builtin:sample-backup)',
  tags: 'Which tags are snapshots (glob)',
  install: 'Install commands, in order (separate them with " && ")',
  start: 'Start command of the service',
  url: 'URL of the service running now (it is probed)',
  apiKeyEnv: 'The service wants an API key: the environment variable that holds it',
  audio: 'Sample audio, its path inside the backup',
  expect: 'Text the sample must transcribe to',
  language: 'Language of the sample (empty: let the service detect it)',
  reportDir: 'Report directory',
  out: 'Write the plan to',
  overwrite: 'That file exists. Overwrite it? (y/n)',
};

export type Answers = Record<Exclude<Question, 'overwrite'>, string>;

export interface InitState {
  readonly question: Question | undefined;
  readonly answers: Answers;
  readonly input: string;
  /** What runs now; the wizard performs it and dispatches its outcome. */
  readonly task: Task | undefined;
  /** Findings so far, one line each (tags listed, service detected, GPU measured). */
  readonly notes: readonly string[];
  readonly problem: string | undefined;
  /** The next steps once the plan is written. */
  readonly done: readonly string[] | undefined;
  readonly quit: boolean;
}

export type InitAction =
  | { readonly type: 'input'; readonly text: string }
  /** The field as the keys left it (text-field.ts: every key of a burst, the readline keys). */
  | { readonly type: 'set-input'; readonly text: string }
  | { readonly type: 'backspace' }
  | { readonly type: 'submit' }
  | { readonly type: 'found'; readonly notes: readonly string[]; readonly needsKey?: boolean; /** Answers the finding proposes (the start command of the process on the port). */ readonly propose?: Partial<Answers> }
  | { readonly type: 'problem'; readonly message: string }
  | { readonly type: 'file-exists' }
  | { readonly type: 'written'; readonly lines: readonly string[] }
  | { readonly type: 'quit' };

/** What follows each question, and the check its answer gets first. */
const NEXT: Record<Exclude<Question, 'overwrite'>, { next: Question | undefined; task?: Task }> = {
  repo: { next: 'tags' },
  tags: { next: 'install', task: 'list-tags' },
  install: { next: 'url' },
  // The service is probed first: the start command is then proposed from the process on its port.
  url: { next: 'start', task: 'probe' },
  apiKeyEnv: { next: 'start', task: 'probe' },
  start: { next: 'audio' },
  audio: { next: 'expect', task: 'check-audio' },
  expect: { next: 'language' },
  language: { next: 'reportDir' },
  reportDir: { next: 'out' },
  out: { next: undefined, task: 'check-file' },
};

export function initialInitState(defaults: PlanAnswers & { out: string }): InitState {
  const answers: Answers = {
    repo: defaults.repo,
    tags: defaults.tags,
    install: defaults.install.join(' && '),
    start: defaults.start,
    url: defaults.url,
    apiKeyEnv: defaults.apiKeyEnv ?? '',
    audio: defaults.audio,
    expect: defaults.expect,
    language: defaults.language ?? '',
    reportDir: defaults.reportDir,
    out: defaults.out,
  };
  return { question: 'repo', answers, input: answers.repo, task: undefined, notes: [], problem: undefined, done: undefined, quit: false };
}

const ask = (state: InitState, question: Question | undefined): InitState => ({
  ...state,
  question,
  input: question && question !== 'overwrite' ? state.answers[question] : '',
  task: undefined,
});

function submit(state: InitState): InitState {
  const { question } = state;
  if (!question || state.task) return state;
  if (question === 'overwrite') {
    if (/^y(es)?$/i.test(state.input.trim())) return { ...state, task: 'write', problem: undefined };
    return { ...ask(state, 'out'), problem: 'not overwritten: give another file' };
  }
  const value = state.input.trim();
  const optional = question === 'language' || question === 'install';
  if (!value && !optional) return { ...state, problem: 'an answer is needed' };
  const answered = { ...state, answers: { ...state.answers, [question]: value }, problem: undefined };
  const { next, task } = NEXT[question];
  return task ? { ...answered, task } : ask(answered, next);
}

export function initReducer(state: InitState, action: InitAction): InitState {
  switch (action.type) {
    case 'input':
      return state.task ? state : { ...state, input: state.input + action.text };
    case 'backspace':
      return state.task ? state : { ...state, input: Array.from(state.input).slice(0, -1).join('') };
    case 'set-input':
      return state.task ? state : { ...state, input: action.text };
    case 'submit':
      return submit(state);
    case 'problem':
      return { ...state, task: undefined, problem: action.message };
    case 'found': {
      const withNotes = { ...state, notes: [...state.notes, ...action.notes], answers: { ...state.answers, ...action.propose } };
      if (state.task === 'check-file') return { ...withNotes, task: 'write' };
      const current = state.question as Exclude<Question, 'overwrite'>;
      // A service that refused us without a key: ask which variable holds it, then probe again.
      if (state.task === 'probe' && action.needsKey && !state.answers.apiKeyEnv) return ask(withNotes, 'apiKeyEnv');
      return ask(withNotes, NEXT[current].next);
    }
    case 'file-exists':
      return ask(state, 'overwrite');
    case 'written':
      return { ...state, task: undefined, question: undefined, done: action.lines };
    case 'quit':
      return { ...state, quit: true, task: undefined };
  }
}
