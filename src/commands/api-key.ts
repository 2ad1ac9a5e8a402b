/** The service's API key, read from the variable a plan or a flag names — never from argv or a file. */
import { usageError } from '../model/errors.js';

/** A variable that is named but not set is a usage error naming it (`where` says who named it). */
export function apiKeyFrom(name: string | undefined, where: string): string | undefined {
  if (name === undefined) return undefined;
  const key = process.env[name];
  if (!key) throw usageError(`${where} names ${name}, and ${name} is not set`, `export ${name}=<the service's API key> and run again`);
  return key;
}
