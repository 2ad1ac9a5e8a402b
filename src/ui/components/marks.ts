/** The wizard's marks come from the one status table. */
import { statusLook } from '../../faces/status.js';

export function mark(status: string): { symbol: string; color: string } {
  return statusLook(status);
}
