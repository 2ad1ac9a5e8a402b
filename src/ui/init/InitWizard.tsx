/** The init wizard's one screen: what was found so far, the current question with its answer, or the next steps. */
import { Box, Text, useApp, useStdin } from 'ink';
import { useEffect, useReducer, useRef } from 'react';
import { useRawKeys } from '../hooks/use-raw-keys.js';
import { editField, fieldKeys, fieldOf, fieldParts, type TextField } from '../text-field.js';
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
  // The field as the keys before this one left it (a ref: a burst is handled key by key before React renders).
  const field = useRef<TextField>(fieldOf(state.input));
  const shown = useRef({ question: state.question, input: state.input });
  if (shown.current.question !== state.question || (shown.current.input !== state.input && field.current.value !== state.input)) {
    // A new question (with its prefilled default): the cursor goes to its end.
    field.current = fieldOf(state.input);
  }
  shown.current = { question: state.question, input: state.input };
  useRawKeys(
    (chunk) => {
      for (const key of fieldKeys(chunk)) {
        if (key.kind === 'interrupt' || key.kind === 'escape') return dispatch({ type: 'quit' });
        if (key.kind === 'enter') {
          dispatch({ type: 'set-input', text: field.current.value });
          // What follows the Enter in the same read belongs to the next question, which is not asked yet.
          return dispatch({ type: 'submit' });
        }
        field.current = editField(field.current, key);
        dispatch({ type: 'set-input', text: field.current.value });
      }
    },
    { isActive: Boolean(isRawModeSupported) && !state.done && !state.quit },
  );
  const parts = fieldParts(field.current.value === state.input ? field.current : fieldOf(state.input));
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
            {parts.before}
            <Text inverse>{parts.under}</Text>
            {parts.after}
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
