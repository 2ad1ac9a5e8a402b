/** What a key means in the wizard's current state: one pure function, tested without a screen. */
import type { Key } from 'ink';
import type { WizardState } from './state.js';

export type KeyIntent =
  | { readonly kind: 'none' }
  | { readonly kind: 'exit' }
  | { readonly kind: 'force' }
  | { readonly kind: 'abort' }
  /** Ctrl-C at the sign-off: the drill has ended, the report is saved without one. */
  | { readonly kind: 'skip-sign-off' }
  | { readonly kind: 'dispatch'; readonly action: import('./state.js').WizardAction };

const NONE: KeyIntent = { kind: 'none' };

function logKeys(input: string, key: Key, pageRows: number): KeyIntent {
  const by = key.upArrow ? 1 : key.downArrow ? -1 : key.pageUp ? pageRows : key.pageDown ? -pageRows : input === 'g' ? Infinity : input === 'G' ? -Infinity : 0;
  if (by !== 0) return { kind: 'dispatch', action: { type: 'scroll-log', by: Number.isFinite(by) ? by : by > 0 ? 1e9 : -1e9 } };
  if (input === 'l' || key.escape) return { kind: 'dispatch', action: { type: 'toggle-overlay', overlay: 'log' } };
  return NONE;
}

export function keyIntent(state: WizardState, input: string, key: Key, pageRows: number): KeyIntent {
  const ctrlC = key.ctrl && input === 'c';
  if (state.aborting) return ctrlC ? { kind: 'force' } : NONE;
  if (state.confirmAbort) {
    if (input === 'y' || input === 'Y' || ctrlC) return { kind: 'abort' };
    if (input === 'n' || input === 'N' || key.escape || key.return) return { kind: 'dispatch', action: { type: 'abort-declined' } };
    return NONE;
  }
  // Signing off is typing: every key is text, except Ctrl-C, which leaves it empty (the drill has ended:
  // there is nothing to abort). The link question takes its own y and n.
  if (state.question?.kind === 'sign-off') return ctrlC ? { kind: 'skip-sign-off' } : NONE;
  if (state.question?.kind === 'link-models') return ctrlC ? { kind: 'dispatch', action: { type: 'abort-requested' } } : NONE;
  if (state.overlay === 'log' && !ctrlC) return logKeys(input, key, pageRows);
  if (input === '?') return { kind: 'dispatch', action: { type: 'toggle-overlay', overlay: 'help' } };
  if (state.overlay === 'help' && key.escape) return { kind: 'dispatch', action: { type: 'toggle-overlay', overlay: 'help' } };
  const typingFilter = state.question?.kind === 'tag';
  if (state.end) {
    if (key.return || input === 'q' || ctrlC) return { kind: 'exit' };
    if (input === 'l') return { kind: 'dispatch', action: { type: 'toggle-overlay', overlay: 'log' } };
    return NONE;
  }
  if (ctrlC || (input === 'q' && !(typingFilter && state.tagFilter !== ''))) return { kind: 'dispatch', action: { type: 'abort-requested' } };
  if (input === 'l' && !typingFilter) return { kind: 'dispatch', action: { type: 'toggle-overlay', overlay: 'log' } };
  return NONE;
}
