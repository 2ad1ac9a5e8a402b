/** What `init` tells the operator: the service it found, and how to run the first drill. */
import type { ServiceDetection } from '../service/detect.js';
import type { Plan } from '../plan/types.js';

/** The detection as lines for a terminal (`probe` prints the same). */
export function describeDetection(found: ServiceDetection): string[] {
  return [
    `${found.url}: ${found.server}${found.version ? ` ${found.version}` : ''} (api: ${found.api})`,
    `  endpoint   ${found.endpoint}${found.model ? ` (model ${found.model})` : ''}`,
    `  ready      GET ${found.readyPath}`,
    `  API key    ${found.needsKey ? 'required (set service.apiKeyEnv)' : 'not asked for'}`,
  ];
}

export function nextSteps(file: string, plan: Plan, probedUrl: string): string[] {
  const key = plan.service.apiKeyEnv;
  const port = new URL(plan.service.url).port;
  return [
    `Plan written: ${file} (loaded back: ${plan.assertions.length} assertion(s), tags "${plan.snapshot.tags}")`,
    'Run the first drill:',
    ...(key ? [`  export ${key}=…            # the service's API key, never in the plan`] : []),
    `  whisper-drill drill --plan ${file} --dry-run   # environment and tags only`,
    `  whisper-drill drill --plan ${file}`,
    `The drill starts its own service: stop the one at ${probedUrl} first${port ? ` (port ${port} must be free)` : ''}.`,
  ];
}
