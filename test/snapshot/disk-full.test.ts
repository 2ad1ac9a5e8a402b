/** A full disk is ours only when our side says so: a server's "No space left" is not the node's disk. */
import { describe, expect, it } from 'vitest';
import { isDiskFull, mountPointOf } from '../../src/snapshot/disk-full.js';

describe('isDiskFull', () => {
  it('sees ENOSPC by its code, in a cause, or in git\'s own words', () => {
    expect(isDiskFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new Error('restore failed', { cause: Object.assign(new Error('x'), { code: 'ENOSPC' }) }))).toBe(true);
    expect(isDiskFull(new Error('git clone failed:\nfatal: write error: No space left on device'))).toBe(true);
  });

  it('does not take the remote\'s disk for the node\'s', () => {
    expect(isDiskFull(new Error('git fetch failed:\nremote: fatal: No space left on device\nfatal: early EOF'))).toBe(false);
    expect(isDiskFull(new Error('git fetch failed: remote: error: No space left on device | fatal: the remote end hung up'))).toBe(false);
    expect(isDiskFull(new Error('HTTP 500'))).toBe(false);
  });
});

describe('mountPointOf', () => {
  it('names the longest mount holding the path, through symlinks', async () => {
    expect(await mountPointOf('/proc/self')).toBe('/proc');
    expect(await mountPointOf('/')).toBe('/');
  });
});
