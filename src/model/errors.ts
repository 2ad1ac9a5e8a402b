/** The one error type of the drill: a message, what to do about it, and whether it is bad input (exit 2). */

/** A failure with what to do about it. `usage` marks bad input found before any step ran (exit 2). */
export class DrillError extends Error {
  readonly hint?: string;
  readonly usage: boolean;
  constructor(message: string, options: { readonly hint?: string; readonly usage?: boolean; readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrillError';
    if (options.hint !== undefined) this.hint = options.hint;
    this.usage = options.usage ?? false;
  }
}

/** A usage error: bad flags, a bad plan, a missing choice in headless mode. Exit code 2. */
export function usageError(message: string, hint?: string): DrillError {
  return new DrillError(message, { usage: true, ...(hint ? { hint } : {}) });
}
