import { Box, Static, Text, useInput, useStdin, useStdout } from 'ink';
import { useSyncExternalStore } from 'react';
import { AbortPrompt } from './components/AbortPrompt.js';
import { CheckList } from './components/CheckList.js';
import { FinishedStep } from './components/FinishedStep.js';
import { LiveStep } from './components/LiveStep.js';
import { Summary } from './components/Summary.js';
import { TagPicker } from './components/TagPicker.js';
import { runningStep, type StepView, type WizardState } from './state.js';
import type { WizardStore } from './store.js';

export interface AppProps {
  readonly store: WizardStore;
  readonly onChooseTag: (tag: string) => void;
  /** The operator confirmed the abort: stop the drill (graceful: teardown and report still run). */
  readonly onAbort: () => void;
  /** Ctrl-C while already aborting: kill everything now. */
  readonly onForce: () => void;
  /** The operator has read the summary. */
  readonly onExit: () => void;
}

function finishedSteps(state: WizardState): StepView[] {
  return state.steps.filter((step) => step.status !== 'pending' && step.status !== 'running');
}

/** Keys: q or Ctrl-C asks to abort; y confirms, n or Esc declines; Enter leaves the summary. */
function useWizardKeys(props: AppProps, state: WizardState): void {
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      const ctrlC = key.ctrl && input === 'c';
      if (state.end) {
        if (key.return || input === 'q' || ctrlC) props.onExit();
        return;
      }
      if (state.aborting) {
        if (ctrlC) props.onForce();
        return;
      }
      if (state.confirmAbort) {
        if (input === 'y' || input === 'Y' || ctrlC) props.onAbort();
        else if (input === 'n' || input === 'N' || key.escape || key.return) props.store.dispatch({ type: 'abort-declined' });
        return;
      }
      if (ctrlC || input === 'q') props.store.dispatch({ type: 'abort-requested' });
    },
    { isActive: isRawModeSupported === true },
  );
}

export function App(props: AppProps) {
  const state = useSyncExternalStore(props.store.subscribe, props.store.getState);
  const { stdout } = useStdout();
  useWizardKeys(props, state);
  const live = runningStep(state);
  const environmentDone = state.steps[0]!.status !== 'pending' && state.steps[0]!.status !== 'running';
  return (
    <Box flexDirection="column">
      <Static items={finishedSteps(state)}>
        {(step) => (
          <Box key={step.id} flexDirection="column">
            <FinishedStep step={step} />
            {step.id === 'environment' ? <CheckList checks={state.checks} /> : null}
          </Box>
        )}
      </Static>
      {!environmentDone && state.checks.length > 0 ? <CheckList checks={state.checks} /> : null}
      {state.question && !state.confirmAbort ? (
        <TagPicker tags={state.tags} suggested={state.question.suggested} onChoose={props.onChooseTag} />
      ) : null}
      {live && !state.question ? (
        <LiveStep step={live} progress={state.progress[live.id]} tail={state.tail} columns={stdout.columns ?? 80} />
      ) : null}
      {state.confirmAbort || state.aborting ? <AbortPrompt aborting={state.aborting} /> : null}
      {state.end ? <Summary state={state} /> : null}
      {!state.end && !state.confirmAbort && !state.aborting ? (
        <Text color="gray">
          {state.plan} · {state.mode} · q abort
        </Text>
      ) : null}
    </Box>
  );
}
