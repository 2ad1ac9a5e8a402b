/** An output: one file of the report folder, rendered from the drill's record. */
import type { DrillRecord } from '../model/record.js';

export interface Output {
  /** The file's name inside the report folder. */
  readonly file: string;
  readonly render: (record: DrillRecord) => string;
}
