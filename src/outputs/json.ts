/** report.json: the record itself, versioned with schemaVersion — everything an auditor needs to trust (or distrust) the drill. */
import type { DrillRecord } from '../model/record.js';
import type { Output } from './output.js';

export function renderJson(record: DrillRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export const jsonOutput: Output = { file: 'report.json', render: renderJson };
