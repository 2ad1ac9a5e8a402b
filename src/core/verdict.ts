/** The honest verdict: failures fail; a required check that could not run is inconclusive; nothing verified is never a pass. */
import type { StepStatus, Verdict } from '../model/record.js';

export interface VerdictInput {
  readonly aborted: boolean;
  readonly steps: ReadonlyArray<{ readonly id: string; readonly status: StepStatus }>;
  readonly inconclusive: readonly string[];
  readonly lfsFilesVerified: number;
  readonly assertionsRun: number;
  readonly mode: 'drill' | 'setup' | 'check';
}

export const EXIT_CODES: Readonly<Record<Verdict, number>> = { passed: 0, failed: 1, inconclusive: 3, aborted: 130 };

export function decideVerdict(input: VerdictInput): { verdict: Verdict; reasons: string[] } {
  if (input.aborted) return { verdict: 'aborted', reasons: ['the drill was interrupted'] };
  const failed = input.steps.filter((s) => s.status === 'failed');
  if (failed.length > 0) return { verdict: 'failed', reasons: failed.map((s) => `${s.id} failed`) };
  const reasons = [...input.inconclusive];
  if (input.mode !== 'check') {
    if (input.lfsFilesVerified === 0) reasons.push('zero LFS files were verified');
    if (input.assertionsRun === 0) reasons.push('zero assertions were run');
  }
  return reasons.length > 0 ? { verdict: 'inconclusive', reasons } : { verdict: 'passed', reasons: [] };
}
