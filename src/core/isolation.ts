/**
 * Nothing cached on the node stands in for the backup: install, start and assert run with a HOME and
 * caches of the drill's own (empty folders under the workspace's .whisper-drill/), model hubs told to
 * stay offline, and Gradio told not to call home. `isolation.home: host` keeps the node's HOME and
 * caches, and the report says so. The network is not isolated yet: the report says that too.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { IsolationRecord } from '../model/record.js';
import type { Plan } from '../plan/types.js';
import { setupPaths } from '../service/setup-state.js';

/** Offline and quiet, whatever the HOME: a hub download or a call home would mean the backup was not enough. */
const OFFLINE = { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_HUB_DISABLE_TELEMETRY: '1', GRADIO_ANALYTICS_ENABLED: 'False' } as const;

export interface Isolation {
  /** What the service's processes get on top of the drill's environment (the plan's service.env still wins). */
  readonly env: Readonly<Record<string, string>>;
  readonly record: IsolationRecord;
}

/** The scratch HOME of a workspace (setup keeps it beside the service, where the systemd unit points too). */
export function scratchHome(workspace: string): string {
  return path.join(setupPaths(workspace).folder, 'home');
}

export async function isolationFor(plan: Plan, workspace: string): Promise<Isolation> {
  const how: string[] = [];
  let env: Record<string, string> = { ...OFFLINE };
  if (plan.isolation.home === 'scratch') {
    const home = scratchHome(workspace);
    const cache = path.join(home, '.cache');
    await mkdir(cache, { recursive: true });
    env = { ...env, HOME: home, XDG_CACHE_HOME: cache, HF_HOME: path.join(cache, 'huggingface'), TORCH_HOME: path.join(cache, 'torch'), PIP_CACHE_DIR: path.join(cache, 'pip') };
    how.push(`HOME and caches (XDG_CACHE_HOME, HF_HOME, TORCH_HOME, PIP_CACHE_DIR) are empty folders of the drill: ${home}`);
  } else {
    how.push("not isolated from the node's HOME and caches (isolation.home: host): a model or package cached there can stand in for the backup");
  }
  how.push(`model hubs offline and no call home: ${Object.entries(OFFLINE).map(([name, value]) => `${name}=${value}`).join(' ')}`);
  how.push("not isolated from the network: the service runs in the host's network namespace");
  return {
    env,
    record: { home: plan.isolation.home, network: 'host', achieved: plan.isolation.home === 'scratch' ? ['home', 'caches', 'hubs-offline'] : ['hubs-offline'], how },
  };
}
