/**
 * The recovery point objective, measured: how the live node differs from the newest tag of its
 * backup, as a check of `check` — passed when it does not, warned when it does, failed when it does
 * and the newest tag is older than backup.maxAge (or there is no tag at all and the plan sets one).
 * It is a snapshot's dry run of the operator's files (./snapshot.ts), with nothing written.
 */
import type { CheckResult } from '../model/record.js';
import type { Plan } from '../plan/types.js';
import { policyAgeMs } from '../plan/rules.js';
import type { Remote } from '../snapshot/remote.js';
import { ageText, makeSnapshot } from './snapshot.js';

export interface ExposureInput {
  readonly plan: Plan;
  readonly remote: Remote;
  readonly from: string;
  readonly cacheRoot: string;
  readonly now: Date;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
}

const TITLE = 'Backup exposure (recovery point)';

export async function backupExposureCheck(input: ExposureInput): Promise<CheckResult> {
  const maxAge = input.plan.backup?.maxAge;
  const required = maxAge ? `the live node as the newest tag, or a tag younger than ${maxAge}` : 'the live node as the newest tag';
  const fix = `whisper-drill snapshot --plan ${input.plan.file}`;
  try {
    const outcome = await makeSnapshot({
      plan: input.plan,
      remote: input.remote,
      from: input.from,
      cacheRoot: input.cacheRoot,
      sign: false,
      dryRun: true,
      exposureOnly: true,
      now: input.now,
      measure: async () => ({}),
      python: 'python3',
      emit: () => undefined,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.env ? { env: input.env } : {}),
    });
    if (!outcome.since) {
      return { id: 'backup-exposure', title: TITLE, status: maxAge ? 'failed' : 'warned', measured: outcome.exposure ?? 'no tag yet: nothing of this node is backed up', required, fix };
    }
    const ageMs = input.now.getTime() - new Date(outcome.since.date).getTime();
    const age = `${outcome.since.tag}, ${ageText(outcome.since.date, input.now)}`;
    if (!outcome.exposure) return { id: 'backup-exposure', title: TITLE, status: 'passed', measured: `the live node is what the newest backup holds (${age})`, required };
    const late = maxAge !== undefined && ageMs > policyAgeMs(maxAge);
    return { id: 'backup-exposure', title: TITLE, status: late ? 'failed' : 'warned', measured: outcome.exposure, required, fix };
  } catch (error) {
    return { id: 'backup-exposure', title: TITLE, status: 'inconclusive', measured: `could not be measured: ${(error as Error).message.split('\n')[0]}`, required, fix: 'check that the backup is reachable and backup.from is the service folder' };
  }
}
