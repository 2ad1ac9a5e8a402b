/** The init wizard's one screen: what was found so far, the current question with its answer, or the next steps. */
import { Box, Text, useApp, useInput, useStdin } from 'ink';
import { useEffect, useReducer } from 'react';
import type { PlanAnswers } from '../../init/answers.js';
import { initialInitState, initReducer, QUESTIONS, type InitState } from './init-state.js';
import { useInitTasks, type InitWizardDeps } from './use-init-tasks.js';

const BUSY: Record<NonNullable<InitState['task']>, string> = {
  'list-tags': 'listing the tags of the backup…',
  probe: 'probing the service…',
  'check-audio': 'looking for the sample in the newest snapshot…',
  'check-file': 'measuring the GPU…',
  write: 'writing the plan and loading it back…',
};

export interface InitWizardProps extends InitWizardDeps {
  readonly defaults: PlanAnswers & { readonly out: string };
  /** Called once, with the exit code: 0 written, 130 quit. */
  readonly onDone: (code: number) => void;
}

export function InitWizard({ defaults, onDone, ...deps }: InitWizardProps) {
  const [state, dispatch] = useReducer(initReducer, defaults, initialInitState);
  const { isRawModeSupported } = useStdin();
  const { exit } = useApp();
  useInitTasks(state, dispatch, deps);
  useInput(
    (input, key) => {
      if ((key.ctrl && input === 'c') || key.escape) dispatch({ type: 'quit' });
      else if (key.return) dispatch({ type: 'submit' });
      else if (key.backspace || key.delete) dispatch({ type: 'backspace' });
      else if (input && !key.ctrl && !key.meta) dispatch({ type: 'input', text: input });
    },
    { isActive: Boolean(isRawModeSupported) && !state.done && !state.quit },
  );
  useEffect(() => {
    if (!state.done && !state.quit) return;
    onDone(state.done ? 0 : 130);
    exit();
  }, [state.done, state.quit]);

  return (
    <Box flexDirection="column">
      <Text bold>whisper-drill init — a drill plan for your Whisper service (Esc quits)</Text>
      {state.notes.map((note, i) => (
        <Text key={i} color={note.startsWith('✔') ? 'green' : undefined}>
          {note}
        </Text>
      ))}
      {state.question && !state.task ? (
        <Box flexDirection="column">
          <Text>{QUESTIONS[state.question]}</Text>
          <Text>
            <Text color="cyan">› </Text>
            {state.input}
            <Text inverse> </Text>
          </Text>
        </Box>
      ) : null}
      {state.task ? <Text color="yellow">… {BUSY[state.task]}</Text> : null}
      {state.problem ? <Text color="red">✖ {state.problem}</Text> : null}
      {state.done?.map((line, i) => <Text key={i}>{line}</Text>)}
      {state.quit ? <Text>Quit: no plan written.</Text> : null}
    </Box>
  );
}
