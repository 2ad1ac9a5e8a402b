/** The interactive face: renders the wizard and answers the drill's questions with its screens. */
import { render } from 'ink';
import type { EnvironmentDecision, FrontEnd } from '../model/ports.js';
import type { Mode, SignOff } from '../model/record.js';
import { App } from './App.js';
import { initialState } from './state.js';
import { createWizardStore } from './store.js';

const OPERATOR_ABORT = new Error('aborted by the operator');

/** A question answered by a screen, or given up when the drill is aborted meanwhile. */
function untilAnswered<T>(signal: AbortSignal, ask: (resolve: (answer: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    ask((answer) => {
      signal.removeEventListener('abort', abort);
      resolve(answer);
    });
  });
}

/**
 * @param onForce a second Ctrl-C while aborting: the caller kills what runs and exits (the wizard
 *   never exits the process itself)
 */
export async function wizardFrontEnd(planLabel: string, mode: Mode, controller: AbortController, onForce: () => void): Promise<FrontEnd> {
  const store = createWizardStore(initialState(planLabel, mode));
  let closed = false;
  let answerTag: ((tag: string) => void) | undefined;
  let answerEnvironment: ((decision: EnvironmentDecision) => void) | undefined;
  let answerSignOff: ((signOff: SignOff) => void) | undefined;
  let answerLinkModels: ((link: boolean) => void) | undefined;
  const app = render(
    <App
      store={store}
      onChooseTag={(tag) => {
        store.dispatch({ type: 'tag-chosen', tag });
        answerTag?.(tag);
      }}
      onEnvironmentDecision={(decision) => {
        store.dispatch({ type: 'environment-decided' });
        answerEnvironment?.(decision);
      }}
      onSignOff={(signOff) => {
        store.dispatch({ type: 'signed-off' });
        answerSignOff?.(signOff);
      }}
      onLinkModels={(link) => {
        store.dispatch({ type: 'link-models-decided' });
        answerLinkModels?.(link);
      }}
      onAbort={() => {
        store.dispatch({ type: 'abort-confirmed' });
        controller.abort(OPERATOR_ABORT);
      }}
      onForce={onForce}
      onExit={() => app.unmount()}
    />,
    // In raw mode Ctrl-C is a key: it goes to the same AbortController as SIGINT, never straight to exit.
    // Our store already draws at most ~10 frames a second; Ink need not try for more. Incremental
    // rendering stays off: with <Static> it miscounts the lines it must erase and leaves stale copies
    // of the live area in the terminal's scrollback (ink #973; seen in tmux with capture-pane -S -).
    { exitOnCtrlC: false, maxFps: 10, incrementalRendering: false },
  );
  // Asked for now: Ink's promise of the exit settles only if it was asked for before the unmount,
  // and the operator may read the summary and press Enter before the drill hands the wizard back.
  const exited = app.waitUntilExit();
  exited.catch(() => undefined);
  return {
    emit: (event) => store.dispatch(event),
    ask: {
      chooseTag: (_tags, suggested) =>
        untilAnswered<string>(controller.signal, (resolve) => {
          answerTag = resolve;
          store.dispatch({ type: 'ask-tag', suggested });
        }),
      reviewEnvironment: (review) =>
        untilAnswered<EnvironmentDecision>(controller.signal, (resolve) => {
          answerEnvironment = resolve;
          store.dispatch({ type: 'ask-environment', review });
        }),
      // Never a reason for the drill to fail: aborted meanwhile, the report keeps what the flags gave.
      signOff: (given) =>
        untilAnswered<SignOff>(controller.signal, (resolve) => {
          answerSignOff = resolve;
          store.dispatch({ type: 'ask-sign-off', given });
        }).catch(() => given),
      // Aborted meanwhile: the HOME is left alone.
      linkModels: (links) =>
        untilAnswered<boolean>(controller.signal, (resolve) => {
          answerLinkModels = resolve;
          store.dispatch({ type: 'ask-link-models', links });
        }).catch(() => false),
    },
    done: async (finished) => {
      if (closed) return;
      closed = true;
      // Stopped by a signal (kill, systemd, a closed terminal): nobody is there to read the summary.
      const byOperator = controller.signal.reason === OPERATOR_ABORT;
      if (!finished) app.clear();
      if (!finished || (controller.signal.aborted && !byOperator)) app.unmount();
      await exited;
    },
  };
}
