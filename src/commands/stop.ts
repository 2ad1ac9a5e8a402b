/**
 * stop --dir DIR: ends the service a `setup` left running there — its whole process group, TERM and
 * then KILL after the plan's stopTimeoutSec — and says what it stopped. Exit 0 when nothing of it
 * runs any more (also when it had already exited), 1 when it survived, 2 when DIR holds no setup.
 */
import path from 'node:path';
import { groupAlive, stopProcessGroup } from '../adapters/process-group.js';
import { endMarked, termStrays } from '../adapters/run-mark.js';
import { usageError } from '../model/errors.js';
import { forgetRunningService, readSetupState, setupPaths } from '../service/setup-state.js';
import type { CliArgs } from './args.js';

export async function stopCommand(args: CliArgs): Promise<number> {
  const dir = path.resolve(args.dir!);
  const state = await readSetupState(dir);
  if (!state) throw usageError(`${dir} holds no service set up by whisper-drill (no ${setupPaths(dir).state})`);
  const what = `${state.plan} ${state.tag ?? ''} (\`${state.command}\`, ${state.url}, process group ${state.pid})`.replace('  ', ' ');
  // Processes that left the group (setsid) carry the run id: TERM with the group, then what is left.
  const termed = state.runId ? termStrays(state.runId, state.pid) : [];
  const outcome = await stopProcessGroup(state.pid, state.stopTimeoutSec * 1000);
  const strays = [...new Set([...termed, ...(state.runId ? await endMarked(state.runId, state.stopTimeoutSec * 1000) : [])])];
  if (!outcome.groupGone || groupAlive(state.pid)) {
    process.stderr.write(`whisper-drill: process group ${state.pid} of ${what} survived SIGKILL\n`);
    return 1;
  }
  await forgetRunningService(dir);
  const how = outcome.signal === 'none' ? 'had already exited' : `stopped with SIG${outcome.signal} in ${outcome.durationMs} ms`;
  const left = strays.length ? `; ended ${strays.length} process(es) that had left its process group (pid ${strays.join(', ')})` : '';
  process.stdout.write(`${what}: ${how}${left}\nIts log stays at ${setupPaths(dir).log}; the restored tree stays in ${dir}.\n`);
  return 0;
}
