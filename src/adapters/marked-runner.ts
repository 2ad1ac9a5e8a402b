/** The drill's own run id on every process it runs (./run-mark.ts says why). */
import { RUN_ID_VAR } from './run-mark.js';
import type { ProcessRunner, RunOptions } from './run.js';

/**
 * A runner whose every process carries `runId` (the drill's own: install's pip, git, the probes): a drill
 * killed outright leaves them running, and the drill that takes its workspace over or resumes it ends them.
 */
export function markedRunner(runner: ProcessRunner, runId: string): ProcessRunner {
  const mark = (options: RunOptions = {}): RunOptions => ({ ...options, env: { ...options.env, [RUN_ID_VAR]: runId } });
  return {
    run: (file, args, options) => runner.run(file, args, mark(options)),
    shell: (command, options) => runner.shell(command, mark(options)),
  };
}
