/** Renders the init wizard and resolves with its exit code once the plan is written or the operator quits. */
import { render } from 'ink';
import { InitWizard, type InitWizardProps } from './InitWizard.js';

export async function runInitWizard(props: Omit<InitWizardProps, 'onDone'>): Promise<number> {
  let code = 130;
  // In raw mode Ctrl-C is a key: the wizard treats it as quitting, never as a kill.
  const app = render(<InitWizard {...props} onDone={(done) => (code = done)} />, { exitOnCtrlC: false, incrementalRendering: false });
  await app.waitUntilExit();
  return code;
}
