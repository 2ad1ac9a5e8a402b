/** Runs the check a question's answer needs (the task the reducer set) and dispatches its outcome. */
import { useEffect, useRef } from 'react';
import type { PlanAnswers } from '../../init/answers.js';
import type { GpuExpectation } from '../../init/gpu.js';
import { describeDetection, nextSteps } from '../../init/next-steps.js';
import type { InitSession, ServiceDetection, TagsFound } from '../../init/session.js';
import type { Answers, InitAction, InitState } from './init-state.js';

export interface InitWizardDeps {
  readonly session: InitSession;
  /** The key in the named variable; throws a usage error naming it when it is not set. */
  readonly readKey: (name: string) => string | undefined;
  /** --force: write over an existing plan without asking. */
  readonly force: boolean;
}

function planAnswers(answers: Answers): PlanAnswers {
  return {
    name: answers.out.replace(/^.*\//, '').replace(/\.ya?ml$/, '') || 'whisper',
    repo: answers.repo,
    tags: answers.tags,
    install: answers.install.split(/\s+&&\s+/).map((c) => c.trim()).filter(Boolean),
    start: answers.start,
    url: answers.url,
    ...(answers.apiKeyEnv ? { apiKeyEnv: answers.apiKeyEnv } : {}),
    audio: answers.audio,
    expect: answers.expect,
    ...(answers.language ? { language: answers.language } : {}),
    reportDir: answers.reportDir,
  };
}

export function useInitTasks(state: InitState, dispatch: (action: InitAction) => void, deps: InitWizardDeps): void {
  const found = useRef<{ tags?: TagsFound; service?: ServiceDetection; gpu?: Promise<GpuExpectation> }>({});
  // The GPU is measured once, while the operator answers the first questions.
  found.current.gpu ??= deps.session.gpu();

  useEffect(() => {
    const { task, answers } = state;
    if (!task) return;
    let current = true;
    const run = async (): Promise<InitAction> => {
      const { session } = deps;
      switch (task) {
        case 'list-tags': {
          const tags = (found.current.tags = await session.listTags(answers.repo, answers.tags));
          const newest = tags.tags[0]!;
          return { type: 'found', notes: [`✔ ${tags.tags.length} tag(s) match "${answers.tags}", newest ${newest.name} (${newest.date.slice(0, 10)})`] };
        }
        case 'probe': {
          const key = answers.apiKeyEnv ? deps.readKey(answers.apiKeyEnv) : undefined;
          const [service, running] = await Promise.all([session.probe(answers.url, key), session.serviceProcess(answers.url)]);
          found.current.service = service;
          const notes = describeDetection(service).map((line, i) => (i === 0 ? `✔ ${line}` : line));
          if (!running) return { type: 'found', notes, needsKey: service.needsKey };
          const note = `✔ pid ${running.pid} listens on port ${running.port}, in ${running.cwd}: \`${running.command}\` (proposed as the start command)`;
          // Probed again with the key: the same process is not told twice.
          if (!state.notes.includes(note)) notes.push(note);
          return { type: 'found', notes, needsKey: service.needsKey, propose: { start: running.command } };
        }
        case 'check-audio':
          await session.checkAudio(found.current.tags!, answers.audio);
          return { type: 'found', notes: [`✔ ${answers.audio} is in ${found.current.tags!.tags[0]!.name}`] };
        case 'check-file': {
          const gpu = await found.current.gpu!;
          const notes = [`✔ GPU: ${gpu.measured}`];
          return !deps.force && (await session.exists(answers.out)) ? { type: 'file-exists' } : { type: 'found', notes };
        }
        case 'write': {
          const gpu = await found.current.gpu!;
          const input = { answers: planAnswers(answers), service: found.current.service!, gpu, newestTag: found.current.tags!.tags[0]!.name };
          const plan = await session.write(answers.out, input, true);
          return { type: 'written', lines: nextSteps(answers.out, plan, answers.url) };
        }
      }
    };
    run().then(
      (action) => current && dispatch(action),
      (error: Error & { hint?: string }) => current && dispatch({ type: 'problem', message: `${error.message}${error.hint ? ` — ${error.hint}` : ''}` }),
    );
    return () => {
      current = false;
    };
  }, [state.task]);
}
