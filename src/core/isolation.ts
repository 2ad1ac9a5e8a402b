/**
 * Nothing cached on the node stands in for the backup: install, start and assert run with a HOME and
 * caches of the drill's own (empty folders under the workspace's .whisper-drill/), model hubs told to
 * stay offline, and Gradio told not to call home. `isolation.home: host` keeps the node's HOME and
 * caches, and the report says so; so it does of the network, where the service could not be given a
 * namespace of its own (core/network.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { DrillError } from '../model/errors.js';
import type { IsolationRecord, OutsideInput } from '../model/record.js';
import { pipSources } from '../probes/pip-config.js';
import type { NetworkDecision } from './network.js';
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

export async function isolationFor(plan: Plan, workspace: string, network: NetworkDecision): Promise<Isolation> {
  const how: string[] = [];
  let env: Record<string, string> = { ...OFFLINE };
  if (plan.isolation.home === 'scratch') {
    const home = scratchHome(workspace);
    const cache = path.join(home, '.cache');
    await mkdir(cache, { recursive: true });
    env = { ...env, HOME: home, XDG_CACHE_HOME: cache, HF_HOME: path.join(cache, 'huggingface'), TORCH_HOME: path.join(cache, 'torch'), PIP_CACHE_DIR: path.join(cache, 'pip') };
    how.push(`HOME and caches (XDG_CACHE_HOME, HF_HOME, TORCH_HOME, PIP_CACHE_DIR) are empty folders of the drill: ${home}`);
    how.push(...(await linkModels(plan, workspace, home)));
  } else {
    how.push("not isolated from the node's HOME and caches (isolation.home: host): a model or package cached there can stand in for the backup");
  }
  how.push(`model hubs offline and no call home: ${Object.entries(OFFLINE).map(([name, value]) => `${name}=${value}`).join(' ')}`);
  const namespace = network.jail.unshare !== undefined;
  how.push(
    namespace
      ? `network: start and assert run in a namespace with only loopback (${network.jail.unshare!.join(' ')}); the drill reaches the service through a Unix socket`
      : `not isolated from the network: ${network.notIsolated ?? 'the host network'}`,
  );
  how.push(network.jail.trace ? "the service's outgoing connection attempts are traced (seccomp + ptrace): connect, and sends to an address" : `connection attempts not watched: ${network.notTraced ?? 'no tracer'}`);
  const achieved = [...(plan.isolation.home === 'scratch' ? ['home', 'caches'] : []), 'hubs-offline', ...(namespace ? ['network'] : []), ...(network.jail.trace ? ['connections-watched'] : [])];
  return { env, record: { home: plan.isolation.home, network: namespace ? 'namespace' : 'host', achieved, how } };
}

/**
 * A model goes back where the service loads it: each backup.models[].from under `~` is linked, in the
 * scratch HOME, to the restored file — a service that loads by name (whisper.load_model("large-v3")
 * reads ~/.cache/whisper/large-v3.pt) finds the restored bytes, and the proof of use sees them through
 * the link. A `from` outside the home directory is not written to by a drill: the service must load
 * that model by path.
 */
async function linkModels(plan: Plan, workspace: string, home: string): Promise<string[]> {
  const said: string[] = [];
  for (const model of plan.backup?.models ?? []) {
    if (!model.from.startsWith('~/')) {
      said.push(`model ${model.from} not linked: a drill writes nothing outside its workspace (the service must load ${model.to} by path)`);
      continue;
    }
    const link = path.join(home, model.from.slice(2));
    await mkdir(path.dirname(link), { recursive: true });
    await rm(link, { force: true });
    await symlink(path.join(workspace, model.to), link);
    said.push(`${model.from} is the restored ${model.to} (a link in the scratch HOME, where the service loads it by name)`);
  }
  return said;
}

export interface PipIsolation {
  /** For the install commands: set, or (undefined) removed from what the drill inherits. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The backup's wheelhouse pip installs from alone, when the tag has one. */
  readonly wheelhouse?: string;
  /** Where pip may take packages from outside the backup, when it has no wheelhouse. */
  readonly outside: readonly OutsideInput[];
}

const isDirectory = (dir: string) => existsSync(dir) && statSync(dir).isDirectory();

/**
 * pip and the backup's wheelhouse. With one (install.wheelhouse, default wheels/ when the tag has it),
 * pip installs from it alone: no configuration file (PIP_CONFIG_FILE=/dev/null: pip then reads none),
 * no index, the node's PIP_* variables removed — a package the wheelhouse lacks fails the install
 * rather than coming quietly from the node's find-links or mirror. Without one, pip uses the node's
 * configuration (its user file too, though HOME is the drill's), and each source is reported as an
 * input from outside the backup.
 */
/**
 * From a wheelhouse the install is the drill's to make fast (measured in docs/benchmarks.md, "pip from the
 * wheelhouse"): no .pyc compiled at install (`--no-compile`: torch 2.13 + numpy 21–29 s → 11–15 s here;
 * the service's first start compiles what it imports, +1.5 s for `import torch`, once), and no call to an
 * index for pip's version check. pip reads the option as PIP_COMPILE=0: PIP_NO_COMPILE=1 compiles
 * anyway (pip 23, tried).
 */
const WHEELHOUSE_SPEED = { PIP_COMPILE: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1' } as const;

/** `installHome`: the HOME install runs with (the drill's scratch one, or the node's). */
export function pipIsolation(plan: Plan, workspace: string, node: Readonly<Record<string, string | undefined>>, nodeHome: string, installHome: string): PipIsolation {
  const named = plan.wheelhouse;
  const wheelhouse = named === false ? undefined : path.join(workspace, named ?? 'wheels');
  if (typeof named === 'string' && !isDirectory(wheelhouse!)) {
    throw new DrillError(`the backup has no ${named} (install.wheelhouse): pip has nothing to install from`, {
      hint: `snapshot the service with backup.wheelhouse: true (whisper-drill snapshot keeps its wheels in ${named}/), or remove install.wheelhouse to let pip use this node's index`,
    });
  }
  if (wheelhouse && isDirectory(wheelhouse)) {
    const inherited = Object.fromEntries(Object.keys(node).filter((name) => name.startsWith('PIP_')).map((name) => [name, undefined]));
    return { env: { ...inherited, PIP_CONFIG_FILE: '/dev/null', PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheelhouse, ...WHEELHOUSE_SPEED }, wheelhouse, outside: [] };
  }
  const userFile = [path.join(node['XDG_CONFIG_HOME'] || path.join(nodeHome, '.config'), 'pip', 'pip.conf'), path.join(nodeHome, '.pip', 'pip.conf')].find((file) => existsSync(file));
  const env = installHome !== nodeHome && userFile && !node['PIP_CONFIG_FILE'] ? { PIP_CONFIG_FILE: userFile } : {};
  const uses = plan.install.some((command) => /\bpip\b/.test(command));
  // As pip will read them during install: with that HOME, and the user file handed over.
  const outside = uses ? pipSources({ ...node, ...env }, installHome).map((source) => ({ kind: source.kind, what: source.what, from: source.from })) : [];
  return { env, outside };
}
