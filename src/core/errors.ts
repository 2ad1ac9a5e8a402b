/** A usage error: bad flags, a bad plan, a missing choice in headless mode. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
