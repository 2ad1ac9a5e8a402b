/** environment.lock.yaml of `check --record`: the node's environment as the record holds it, for the backup job to commit with a tag. */
import { formatLock, measuredEnvironment } from '../model/environment-lock.js';
import type { DrillRecord } from '../model/record.js';

export function renderEnvironmentLock(record: DrillRecord): string {
  return formatLock(measuredEnvironment(record.environment.facts), new Date(record.finishedAt), `${record.tool.name} ${record.tool.version}`);
}
