/**
 * `setup` into a directory that is not empty: allowed only when it holds an earlier setup of the
 * same backup (its `.whisper-drill/setup.json` says so) whose service no longer runs. What was
 * restored there came from that backup and is restored again, so it is cleared; anything else is
 * the operator's and is never touched.
 */
import { emptyDir } from '../adapters/empty-dir.js';
import { groupAlive } from '../adapters/process-group.js';
import { usageError } from '../model/errors.js';
import type { Plan } from '../plan/types.js';
import { readSetupState } from './setup-state.js';

export async function clearEarlierSetup(dir: string, plan: Plan): Promise<void> {
  const earlier = await readSetupState(dir);
  if (!earlier) throw usageError(`${dir} is not empty and holds no setup of whisper-drill: set up into a new or empty directory`);
  if (earlier.repo !== plan.snapshot.repo) {
    throw usageError(`${dir} holds a setup of another backup (${earlier.repo}), not of ${plan.snapshot.repo}: set up into a new or empty directory`);
  }
  if (groupAlive(earlier.pid)) {
    throw usageError(`the service set up in ${dir} still runs (process group ${earlier.pid}, ${earlier.url})`, `stop it first: whisper-drill stop --dir ${dir}`);
  }
  await emptyDir(dir);
}
