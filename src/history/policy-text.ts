/** The drill policy in words, for the history's table and page. */
import { formatAge } from '../model/format.js';
import type { PolicyStatus } from './trend.js';

/** "✔ last passing drill 12 days ago (policy: every 90d)" or "⚠ OVERDUE: …" — overdue is never subtle. */
export function describePolicy(policy: PolicyStatus): string {
  const last = policy.lastPassedAt ? `last passing drill ${formatAge(policy.ageMs ?? 0)} ago (${policy.lastPassedAt.slice(0, 10)})` : 'no passing drill on record';
  return policy.overdue ? `⚠ OVERDUE: ${last}; the policy is every ${policy.every}` : `✔ ${last}; the policy is every ${policy.every}`;
}

