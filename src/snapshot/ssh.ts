/**
 * git over ssh, as operators run it, but never waiting on a question: no password prompt, and an
 * unknown host key is refused — never accepted silently — with its fingerprint and how to trust it.
 */
import { run, type ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import type { Remote } from './remote.js';

/** The ssh command git (and git-lfs-authenticate) runs: the operator's own, made non-interactive and strict. */
export function sshCommand(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['GIT_SSH_COMMAND'] ?? process.env['GIT_SSH_COMMAND'] ?? 'ssh';
  return `${base} -o BatchMode=yes -o StrictHostKeyChecking=yes`;
}

export function sshEnv(remote: Remote, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return remote.kind === 'ssh' ? { GIT_SSH_COMMAND: sshCommand(env) } : {};
}

const HOST_KEY_PROBLEM = /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No (?:ED25519|ECDSA|RSA) host key is known/;

export function isHostKeyProblem(message: string): boolean {
  return HOST_KEY_PROBLEM.test(message);
}

/** What the server presents, as `ssh-keygen -l` prints it ("256 SHA256:… [host]:port (ED25519)"). */
async function fingerprints(host: string, port: number | undefined, hooks: { runner?: ProcessRunner; signal?: AbortSignal }): Promise<string[]> {
  const scan = await run('ssh-keyscan', [...(port ? ['-p', String(port)] : []), '-T', '5', '--', host], { runner: hooks.runner, signal: hooks.signal, timeoutMs: 15_000 });
  if (!scan.stdout.trim()) return [];
  const prints = await run('ssh-keygen', ['-l', '-f', '-'], { runner: hooks.runner, input: scan.stdout, timeoutMs: 15_000 });
  return prints.stdout.trim().split('\n').filter(Boolean);
}

/** The refusal of an unknown (or changed) host key, naming what the server presented and how to trust it. */
export async function hostKeyRefusal(remote: Remote, detail: string, hooks: { runner?: ProcessRunner; signal?: AbortSignal } = {}): Promise<DrillError> {
  const ssh = remote.ssh;
  if (!ssh) return new DrillError(detail);
  const where = ssh.port ? `[${ssh.host}]:${ssh.port}` : ssh.host;
  const seen = await fingerprints(ssh.host, ssh.port, hooks);
  const changed = /CHANGED/.test(detail);
  const presented = seen.length ? `it presents ${seen.join('; ')}` : 'ssh-keyscan could not read its key';
  return new DrillError(`the ssh host key of ${where} is ${changed ? 'not the one known for it' : 'not known'}: ${presented}. It was not accepted.`, {
    hint: `check the fingerprint with the server's administrators, then trust it: ssh-keyscan ${ssh.port ? `-p ${ssh.port} ` : ''}${ssh.host} >> ~/.ssh/known_hosts`,
  });
}
