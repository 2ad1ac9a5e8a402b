/**
 * What `setup` leaves in its directory beside the restored tree, in `.whisper-drill/`: the running
 * service's pid file, its log, and setup.json (which backup, plan and tag, how to stop it). `stop`
 * reads it; a second `setup` into the same directory recognises its own backup by it.
 */
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SETUP_STATE_DIR = '.whisper-drill';

export interface SetupState {
  /** The backup as the plan names it (snapshot.repo, credentials never written there). */
  readonly repo: string;
  readonly plan: string;
  readonly planFile: string;
  readonly tag: string | null;
  /** The service's process group (the shell started by the plan's start command leads it). */
  readonly pid: number;
  readonly command: string;
  readonly url: string;
  readonly stopTimeoutSec: number;
  readonly startedAt: string;
  /** In the environment of each of the service's processes: `stop` finds by it those that left the group. */
  readonly runId?: string;
}

export function setupPaths(dir: string): { readonly state: string; readonly pid: string; readonly log: string; readonly folder: string } {
  const folder = path.join(dir, SETUP_STATE_DIR);
  return { folder, state: path.join(folder, 'setup.json'), pid: path.join(folder, 'service.pid'), log: path.join(folder, 'service.log') };
}

export async function readSetupState(dir: string): Promise<SetupState | undefined> {
  try {
    return JSON.parse(await readFile(setupPaths(dir).state, 'utf8')) as SetupState;
  } catch {
    return undefined;
  }
}

/** The pid file and setup.json; the folder is kept out of `git status` of the restored tree. */
export async function writeSetupState(dir: string, state: SetupState): Promise<void> {
  const paths = setupPaths(dir);
  await mkdir(paths.folder, { recursive: true });
  await writeFile(paths.pid, `${state.pid}\n`);
  await writeFile(paths.state, `${JSON.stringify(state, null, 2)}\n`);
  const exclude = path.join(dir, '.git', 'info', 'exclude');
  const excluded = await readFile(exclude, 'utf8').catch(() => undefined);
  if (excluded !== undefined && !excluded.split('\n').includes(`/${SETUP_STATE_DIR}/`)) await appendFile(exclude, `/${SETUP_STATE_DIR}/\n`);
}

/** The service is gone: the pid file goes with it (setup.json stays, naming the backup). */
export async function forgetRunningService(dir: string): Promise<void> {
  await rm(setupPaths(dir).pid, { force: true });
}
