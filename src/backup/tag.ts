/**
 * The snapshot's tag: its name (--tag, or backup.tagFormat with {date}, {time} and {short}), which the
 * plan's snapshot.tags glob must list — else a drill would never see it, so it is refused before
 * anything is written — then an annotated tag, SSH-signed with --sign (git's user.signingkey), pushed.
 */
import { git } from '../adapters/git.js';
import { DrillError, usageError } from '../model/errors.js';
import { globMatcher } from '../model/glob.js';
import { assertSafeRef } from '../snapshot/fetch.js';
import { inClone, REMOTE_NAME, type WorkClone } from './work-clone.js';

const pad = (n: number) => String(n).padStart(2, '0');

export function tagName(format: string, at: Date, commit: string): string {
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return format.replaceAll('{date}', date).replaceAll('{time}', time).replaceAll('{short}', commit.slice(0, 7));
}

/** Refuses a name the drills would not list, or git would not take: before anything is written. */
export function checkTagName(name: string, pattern: string, from: string): void {
  if (!globMatcher(pattern)(name)) {
    throw usageError(`the tag "${name}" (${from}) does not match the plan's snapshot.tags "${pattern}": no drill would ever list it`, 'choose a name the glob matches (or widen snapshot.tags)');
  }
  try {
    assertSafeRef(name);
  } catch {
    throw usageError(`"${name}" (${from}) is not a tag name git takes`);
  }
}

/** The signing key for --sign: git's user.signingkey, which must be set. */
export async function signingKey(clone: WorkClone): Promise<string> {
  const result = await git(['-C', clone.dir, 'config', 'user.signingkey'], { runner: clone.runner });
  const key = result.stdout.trim();
  if (!key) throw usageError('--sign: git has no user.signingkey', 'git config --global user.signingkey ~/.ssh/id_ed25519.pub (an SSH key: the tag is signed with gpg.format=ssh)');
  return key;
}

export async function makeTag(clone: WorkClone, name: string, commit: string, message: string, sign: boolean): Promise<void> {
  const exists = await git(['-C', clone.dir, 'ls-remote', '--tags', REMOTE_NAME, `refs/tags/${name}`], { env: clone.env, runner: clone.runner, signal: clone.signal });
  if (exists.exitCode === 0 && exists.stdout.trim()) throw new DrillError(`the tag ${name} already exists on ${clone.remote.display}`, { hint: 'give another --tag (a verified state is never moved): the commit is pushed, only the tag is missing' });
  await git(['-C', clone.dir, 'tag', '-d', name], { runner: clone.runner });
  const signing = sign ? ['-c', 'gpg.format=ssh', 'tag', '-s'] : ['tag', '-a'];
  await inClone(clone, [...signing, name, commit, '-m', message], sign ? 'check user.signingkey: ssh-keygen must be able to sign with it' : undefined);
  await inClone(clone, ['push', '--quiet', '--no-verify', REMOTE_NAME, `refs/tags/${name}`]);
}
