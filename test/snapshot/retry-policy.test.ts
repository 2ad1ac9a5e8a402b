/** lfs.transfer.maxretries and lfs.transfer.maxretrydelay, read from git's config as git-lfs reads them. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, gitRetryPolicy } from '../../src/snapshot/lfs/retry-policy.js';

const config = (pairs: Record<string, string>) => ({
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_COUNT: String(Object.keys(pairs).length),
  ...Object.fromEntries(Object.entries(pairs).flatMap(([key, value], i) => [[`GIT_CONFIG_KEY_${i}`, key], [`GIT_CONFIG_VALUE_${i}`, value]])),
});

describe('the transfer retry policy', () => {
  it('unset: 5 retries, a quarter second doubling up to 4 s', async () => {
    const policy = await gitRetryPolicy({ env: config({}) });
    expect(policy.retries).toBe(DEFAULT_RETRY.retries);
    expect([0, 1, 2, 3, 4, 5].map((attempt) => policy.delayMs(attempt))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
  });

  it("takes git-lfs's settings: the retries, and the delay's limit (0: at once)", async () => {
    const policy = await gitRetryPolicy({ env: config({ 'lfs.transfer.maxretries': '2', 'lfs.transfer.maxRetryDelay': '1' }) });
    expect(policy.retries).toBe(2);
    expect([0, 1, 2, 3].map((attempt) => policy.delayMs(attempt))).toEqual([250, 500, 1000, 1000]);
    const atOnce = await gitRetryPolicy({ env: config({ 'lfs.transfer.maxretrydelay': '0' }) });
    expect(atOnce.delayMs(3)).toBe(0);
  });

  it('names a setting that is not a number it can take', async () => {
    await expect(gitRetryPolicy({ env: config({ 'lfs.transfer.maxretries': '0' }) })).rejects.toThrow('git config lfs.transfer.maxretries is "0": not a whole number of at least 1');
    await expect(gitRetryPolicy({ env: config({ 'lfs.transfer.maxretrydelay': 'soon' }) })).rejects.toThrow('git config lfs.transfer.maxretrydelay is "soon"');
  });
});
