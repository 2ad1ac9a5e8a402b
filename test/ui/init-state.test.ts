/** The init wizard's reducer, as a pure function: defaults, checks, the key question, overwriting. */
import { describe, expect, it } from 'vitest';
import { INIT_DEFAULTS } from '../../src/init/answers.js';
import { initialInitState, initReducer, type InitAction, type InitState } from '../../src/ui/init/init-state.js';

const defaults = { ...INIT_DEFAULTS, name: 'x', repo: '', install: [...INIT_DEFAULTS.install], out: 'drills/x.yaml' };
const apply = (state: InitState, ...actions: InitAction[]) => actions.reduce(initReducer, state);
const type = (text: string): InitAction => ({ type: 'input', text });
const submit: InitAction = { type: 'submit' };
const found = (needsKey?: boolean): InitAction => ({ type: 'found', notes: ['✔ ok'], ...(needsKey === undefined ? {} : { needsKey }) });

describe('initReducer', () => {
  it('asks each question prefilled with its default; an empty required answer is refused', () => {
    let state = initialInitState(defaults);
    expect([state.question, state.input]).toEqual(['repo', '']);
    state = apply(state, submit);
    expect(state).toMatchObject({ question: 'repo', problem: 'an answer is needed', task: undefined });
    state = apply(state, type('file:///srv/backup.gi'), type('t'), { type: 'backspace' }, type('t'), submit);
    expect(state).toMatchObject({ question: 'tags', input: 'v*', problem: undefined });
    expect(state.answers.repo).toBe('file:///srv/backup.git');
  });

  it('checks the tags before going on, and asks again when the check fails', () => {
    let state = apply(initialInitState({ ...defaults, repo: 'file:///r.git' }), submit, submit);
    expect(state.task).toBe('list-tags');
    expect(apply(state, type('ignored')).input).toBe('v*');
    state = apply(state, { type: 'problem', message: 'no tag matches "v*"' });
    expect(state).toMatchObject({ question: 'tags', task: undefined, problem: 'no tag matches "v*"' });
    state = apply(state, submit, found());
    expect(state).toMatchObject({ question: 'install', input: defaults.install.join(' && '), notes: ['✔ ok'] });
  });

  it('asks for the key variable only when the service wants a key, then probes again', () => {
    let state = apply(initialInitState({ ...defaults, repo: 'r' }), submit, submit, found(), submit, submit);
    expect(state.task).toBe('probe');
    expect(apply(state, found(false)).question).toBe('start');
    state = apply(state, found(true));
    expect(state.question).toBe('apiKeyEnv');
    state = apply(state, type('SPEACHES_API_KEY'), submit);
    expect(state).toMatchObject({ task: 'probe', answers: { apiKeyEnv: 'SPEACHES_API_KEY' } });
    expect(apply(state, found(true)).question).toBe('start');
  });

  it('proposes the start command of the process on the probed port, for the operator to confirm or change', () => {
    const probing = apply(initialInitState({ ...defaults, repo: 'r' }), submit, submit, found(), submit, submit);
    const proposed = apply(probing, { type: 'found', notes: ['✔ pid 4242 listens on port 17860'], propose: { start: '.venv/bin/python app.py --port 17860' } });
    expect(proposed).toMatchObject({ question: 'start', input: '.venv/bin/python app.py --port 17860' });
    expect(apply(proposed, submit)).toMatchObject({ question: 'audio', answers: { start: '.venv/bin/python app.py --port 17860' } });
  });

  it('never overwrites without a yes', () => {
    const atOut = { ...initialInitState(defaults), question: 'out' as const, input: 'drills/x.yaml' };
    let state = apply(atOut, submit);
    expect(state.task).toBe('check-file');
    state = apply(state, { type: 'file-exists' });
    expect(state.question).toBe('overwrite');
    expect(apply(state, type('n'), submit)).toMatchObject({ question: 'out', problem: 'not overwritten: give another file', task: undefined });
    expect(apply(state, type('y'), submit).task).toBe('write');
    expect(apply(state, type('y'), submit, { type: 'written', lines: ['Plan written'] })).toMatchObject({ done: ['Plan written'], question: undefined });
  });
});
