/** Where the package's own files and the user's cache live. */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file is src/paths.ts or dist/paths.js, one level below it. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Cache for the built sample backup and tag metadata. WHISPER_DRILL_CACHE overrides it. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env['WHISPER_DRILL_CACHE']) return path.resolve(env['WHISPER_DRILL_CACHE']);
  const base = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'whisper-drill');
}
