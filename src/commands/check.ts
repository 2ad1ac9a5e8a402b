/** check: only the environment checks of the plan. Exit 0 healthy, 1 unhealthy (or not provable), 2 usage. */
import path from 'node:path';
import os from 'node:os';
import { installablePackages, installPackages } from '../core/checks/install-tools.js';
import { runEnvironmentChecks, summarizeChecks } from '../core/checks/environment-checks.js';
import type { CheckResult } from '../core/events.js';
import { loadPlan } from '../core/plan/load.js';
import { describeCheck, plainText } from '../reporters/plain.js';
import type { CliArgs } from './args.js';
import { DEFAULT_PLAN } from './drill.js';

/** `--fix`: install the Debian packages that provide missing tools (as root); true when it did. */
async function installMissing(checks: readonly CheckResult[], write: (line: string) => void): Promise<boolean> {
  const packages = installablePackages(checks);
  if (packages.length === 0) return false;
  const problem = await installPackages(packages, { onLine: write });
  if (problem) write(problem);
  return problem === undefined;
}

export async function checkCommand(args: CliArgs): Promise<number> {
  const plan = await loadPlan(path.resolve(args.plan ?? DEFAULT_PLAN));
  const write = (line: string) => process.stderr.write(`${plainText(line)}\n`);
  // PyTorch is probed with the service's own python: the plan names it, relative to where check runs.
  const torchPython = plan.environment.torch ? path.resolve(plan.environment.torch.python ?? '.venv/bin/python') : undefined;
  const runChecks = () => runEnvironmentChecks(plan.environment, { workdir: os.tmpdir(), ...(torchPython ? { torchPython } : {}) });
  let { checks, facts } = await runChecks();
  if (args.fix && (await installMissing(checks, write))) ({ checks, facts } = await runChecks());
  const { failed, inconclusive } = summarizeChecks(checks);
  const healthy = failed.length === 0 && inconclusive.length === 0;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ plan: plan.name, healthy, checks, facts })}\n`);
  } else {
    write(`whisper-drill check: plan ${plan.name} (${plan.file})`);
    for (const check of checks) write(`   ${describeCheck(check)}`);
    const verdict = healthy ? 'HEALTHY' : failed.length > 0 ? 'UNHEALTHY' : 'INCONCLUSIVE (a required check could not run)';
    write(`${verdict}: ${checks.length - failed.length - inconclusive.length}/${checks.length} checks without a failure`);
  }
  return healthy ? 0 : 1;
}
