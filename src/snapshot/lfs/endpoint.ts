/**
 * Where a snapshot's LFS objects come from: the repository's own store (file://), the LFS server
 * beside an https remote (`<repo>.git/info/lfs`), the one `git-lfs-authenticate` names over ssh —
 * or `lfs.url` from the snapshot's `.lfsconfig`, which overrides them all, as it does for git-lfs.
 */
import { run, type ProcessRunner } from '../../adapters/run.js';
import { DrillError } from '../../model/errors.js';
import type { Remote } from '../remote.js';
import { sshCommand } from '../ssh.js';

export type LfsSource =
  | { readonly kind: 'store'; readonly repoDir: string }
  | { readonly kind: 'server'; readonly endpoint: string; readonly header: Readonly<Record<string, string>>; readonly viaSsh: boolean };

export interface EndpointHooks {
  readonly runner?: ProcessRunner;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** `lfs.url` of the restored tree's .lfsconfig, if it has one. */
async function lfsConfigUrl(workdir: string, hooks: EndpointHooks): Promise<string | undefined> {
  const result = await run('git', ['config', '--file', `${workdir}/.lfsconfig`, '--get', 'lfs.url'], { runner: hooks.runner, env: hooks.env, signal: hooks.signal });
  return result.exitCode === 0 && result.stdout.trim() ? result.stdout.trim() : undefined;
}

/** git-lfs's default: the remote's URL with `.git` (unless there) and `/info/lfs`. */
export function defaultEndpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return `${base.endsWith('.git') ? base : `${base}.git`}/info/lfs`;
}

async function sshAuthenticate(remote: Remote, ssh: NonNullable<Remote['ssh']>, hooks: EndpointHooks): Promise<LfsSource> {
  const target = ssh.user ? `${ssh.user}@${ssh.host}` : ssh.host;
  const args = [...(ssh.port ? ['-p', String(ssh.port)] : []), '--', target, 'git-lfs-authenticate', ssh.path, 'download'];
  // The same ssh command as git's (the fetch step's environment carries it), made strict.
  const command = sshCommand(hooks.env ?? {}).split(/\s+/).filter(Boolean);
  const result = await run(command[0]!, [...command.slice(1), ...args], { runner: hooks.runner, env: hooks.env, signal: hooks.signal, timeoutMs: 60_000 });
  if (result.exitCode !== 0) {
    throw new DrillError(`\`git-lfs-authenticate\` over ssh to ${remote.display} failed (exit ${result.exitCode ?? 'signal'}): ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`, {
      hint: 'the ssh server must offer git-lfs-authenticate (GitLab and Gitea do), and this key must be allowed to read the repository',
    });
  }
  try {
    const answer = JSON.parse(result.stdout) as { href: string; header?: Record<string, string> };
    return { kind: 'server', endpoint: answer.href, header: answer.header ?? {}, viaSsh: true };
  } catch {
    throw new DrillError(`\`git-lfs-authenticate\` on ${remote.display} answered something that is not JSON: ${result.stdout.slice(0, 120)}`);
  }
}

export async function lfsSource(remote: Remote, workdir: string, hooks: EndpointHooks = {}): Promise<LfsSource> {
  const override = await lfsConfigUrl(workdir, hooks);
  if (override) return { kind: 'server', endpoint: override, header: {}, viaSsh: false };
  if (remote.dir) return { kind: 'store', repoDir: remote.dir };
  if (remote.ssh) return sshAuthenticate(remote, remote.ssh, hooks);
  return { kind: 'server', endpoint: defaultEndpoint(remote.url), header: {}, viaSsh: false };
}
