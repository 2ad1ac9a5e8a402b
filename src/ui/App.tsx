import { Box, Static, Text, useInput, useStdin, useStdout } from 'ink';
import { useSyncExternalStore } from 'react';
import type { EnvironmentDecision } from '../model/ports.js';
import type { SignOff } from '../model/record.js';
import { AbortPrompt } from './components/AbortPrompt.js';
import { AssertionList } from './components/AssertionList.js';
import { CheckList } from './components/CheckList.js';
import { DriftList } from './components/DriftList.js';
import { EnvironmentReview } from './components/EnvironmentReview.js';
import { FinishedStep } from './components/FinishedStep.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { LfsFileList } from './components/LfsFileList.js';
import { LiveStep } from './components/LiveStep.js';
import { LogView } from './components/LogView.js';
import { LinkModelsPrompt } from './components/LinkModelsPrompt.js';
import { SignOffPrompt } from './components/SignOffPrompt.js';
import { Summary } from './components/Summary.js';
import { TagPicker } from './components/TagPicker.js';
import { keyIntent } from './keys.js';
import { runningSteps, TAIL_LINES, type StepView, type WizardState } from './state.js';
import type { WizardStore } from './store.js';

export interface AppProps {
  readonly store: WizardStore;
  readonly onChooseTag: (tag: string) => void;
  readonly onEnvironmentDecision?: (decision: EnvironmentDecision) => void;
  readonly onSignOff?: (signOff: SignOff) => void;
  readonly onLinkModels?: (link: boolean) => void;
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

function StepDetails({ step, state }: { readonly step: StepView; readonly state: WizardState }) {
  const drift = state.drift[step.id];
  const details = <StepChecks step={step} state={state} />;
  if (!drift) return details;
  return (
    <>
      {details}
      <DriftList drift={drift} />
    </>
  );
}

/** What a resumed drill found before its first step, said above the environment's checks. */
function Notices({ notices }: { readonly notices: readonly string[] }) {
  return notices.map((notice, i) => (
    <Text key={i} color="yellow">
      {'  ↻ '}
      {notice}
    </Text>
  ));
}

function StepChecks({ step, state }: { readonly step: StepView; readonly state: WizardState }) {
  // Each check under the step that measured it, as its event says.
  if (step.id === 'environment')
    return (
      <>
        <Notices notices={state.notices} />
        <CheckList checks={state.checks.filter((c) => c.step === step.id)} />
      </>
    );
  if (step.id === 'install') return <CheckList checks={state.checks.filter((c) => c.step === step.id)} />;
  if (step.id === 'verify') return <LfsFileList files={state.lfsFiles} />;
  if (step.id === 'assert') return <AssertionList assertions={state.assertions} />;
  return null;
}

export function App(props: AppProps) {
  const state = useSyncExternalStore(props.store.subscribe, props.store.getState);
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const rows = stdout.rows ?? 24;
  const columns = stdout.columns ?? 80;
  useInput(
    (input, key) => {
      // The store's state now, not this render's: Ink hands the new handler over in an effect after the
      // frame is drawn, so a key pressed at the question just drawn ("Abort the drill?" → y) would
      // otherwise meet the state from before the question and be dropped.
      const intent = keyIntent(props.store.getState(), input, key, Math.max(1, rows - 6));
      if (intent.kind === 'dispatch') props.store.dispatch(intent.action);
      else if (intent.kind === 'abort') props.onAbort();
      else if (intent.kind === 'skip-sign-off') {
        const asked = props.store.getState().question;
        if (asked?.kind === 'sign-off') props.onSignOff?.(asked.given);
      }
      else if (intent.kind === 'force') props.onForce();
      else if (intent.kind === 'exit') props.onExit();
    },
    { isActive: isRawModeSupported === true },
  );
  // Install runs beside the LFS download: every running step is shown, their output's tail shared out.
  const lives = runningSteps(state);
  const live = lives.find((step) => step.id === 'environment' || step.id === 'assert') ?? lives[0];
  const tailLines = Math.max(2, Math.floor(TAIL_LINES / Math.max(1, lives.length)));
  const pickerActive = isRawModeSupported === true && !state.overlay && !state.confirmAbort && !state.aborting;
  const question = state.confirmAbort || state.aborting ? undefined : state.question;
  const logLines = state.logStep ? (state.logs[state.logStep] ?? []) : [];
  return (
    <Box flexDirection="column">
      <Static items={finishedSteps(state)}>
        {(step) => (
          <Box key={step.id} flexDirection="column">
            <FinishedStep step={step} />
            <StepDetails step={step} state={state} />
          </Box>
        )}
      </Static>
      {state.overlay === 'log' ? (
        <LogView title={`Output of ${state.logStep ?? 'no step yet'}`} lines={logLines} scroll={state.logScroll} rows={rows} columns={columns} />
      ) : (
        <>
          {live?.id === 'environment' && !question ? (
            <>
              <Notices notices={state.notices} />
              <CheckList checks={state.checks} />
            </>
          ) : null}
          {question?.kind === 'tag' ? (
            <TagPicker
              tags={state.tags}
              suggested={question.suggested}
              filter={state.tagFilter}
              isActive={pickerActive}
              onFilter={(filter) => props.store.dispatch({ type: 'tag-filter', filter })}
              onChoose={props.onChooseTag}
            />
          ) : null}
          {question?.kind === 'environment' ? (
            <EnvironmentReview review={question.review} onDecide={(decision) => props.onEnvironmentDecision?.(decision)} />
          ) : null}
          {question?.kind === 'sign-off' ? <SignOffPrompt given={question.given} outran={question.outran === true} isActive={pickerActive} onDone={(signOff) => props.onSignOff?.(signOff)} /> : null}
          {question?.kind === 'link-models' ? <LinkModelsPrompt links={question.links} isActive={pickerActive} onDecide={(link) => props.onLinkModels?.(link)} /> : null}
          {!question
            ? lives.map((step) => <LiveStep key={step.id} step={step} progress={state.progress[step.id]} tail={(state.logs[step.id] ?? []).slice(-tailLines)} columns={columns} />)
            : null}
          {live?.id === 'assert' ? <AssertionList assertions={state.assertions} /> : null}
        </>
      )}
      {state.overlay === 'help' ? <HelpOverlay /> : null}
      {state.confirmAbort || state.aborting ? <AbortPrompt aborting={state.aborting} /> : null}
      {state.end && state.overlay !== 'log' ? <Summary state={state} /> : null}
      {!state.end && !state.confirmAbort && !state.aborting ? (
        <Text color="gray">
          {state.plan} · {state.mode} · ? keys · q abort
        </Text>
      ) : null}
    </Box>
  );
}
