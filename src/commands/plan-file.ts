/** Which plan file a command reads: --plan, the shipped demo plan for `demo`, else the default beside where it runs. */
import path from 'node:path';
import { packageRoot } from '../paths.js';

/** The plan a command reads without --plan (relative to where it runs). */
export const DEFAULT_PLAN = 'drills/whisper-large-v3.yaml';
export const DEMO_PLAN = path.join(packageRoot, 'drills', 'demo.yaml');

export function planFileOf(args: { readonly command: string; readonly plan?: string }): string {
  return args.command === 'demo' ? DEMO_PLAN : path.resolve(args.plan ?? DEFAULT_PLAN);
}
