/** A headless drill's options for tests: a scratch report root and cache under `dir`, the newest tag when asked. */
import path from 'node:path';
import type { DrillOptions } from '../../src/core/engine.js';
import type { Plan } from '../../src/plan/types.js';

export function headlessOptions(plan: Plan, dir: string, extra: Partial<DrillOptions> = {}): DrillOptions {
  return {
    plan,
    mode: 'drill',
    keep: false,
    reportRoot: path.join(dir, 'reports'),
    cacheRoot: path.join(dir, 'cache'),
    signal: new AbortController().signal,
    ask: { chooseTag: async (_tags, suggested) => suggested },
    ...extra,
  };
}
