/** Placeholder until the wizard lands: the plain reporter with flag-answered questions. */
import type { CliArgs } from '../commands/args.js';
import { headlessFrontEnd } from '../commands/drill.js';
import type { FrontEnd } from '../commands/front-end.js';
import type { Plan } from '../core/plan/types.js';

export async function wizardFrontEnd(_plan: Plan, args: CliArgs, _controller: AbortController): Promise<FrontEnd> {
  return headlessFrontEnd({ ...args, yes: true });
}
