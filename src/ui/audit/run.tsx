/** Renders the audit's list and resolves with the tag the operator chose to drill, or undefined. */
import { render } from 'ink';
import { AuditList, type AuditListProps } from './AuditList.js';

export async function runAuditList(props: Omit<AuditListProps, 'onDone'>): Promise<string | undefined> {
  let chosen: string | undefined;
  const app = render(<AuditList {...props} onDone={(tag) => (chosen = tag)} />, { exitOnCtrlC: false, incrementalRendering: false });
  await app.waitUntilExit();
  return chosen;
}
