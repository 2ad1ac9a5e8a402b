/**
 * A loopback sshd for the tests (Debian's openssh-server, run by hand on a free port): a throwaway
 * host key, and one authorized key whose forced command serves what GitLab and Gitea serve over
 * ssh — `git-upload-pack` and `git-receive-pack` of a repository under `root`, and `git-lfs-authenticate`, which names an
 * LFS endpoint (the HTTP test server) and the header that opens it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './sample.js';

export interface Sshd {
  readonly port: number;
  /** The client's ssh command: its key and a known_hosts file that trusts this server (or not). */
  readonly sshCommand: (trusted: boolean) => string;
  /** `ssh-keygen -l` of the host key, e.g. "256 SHA256:… (ED25519)". */
  readonly fingerprint: string;
  stop(): Promise<void>;
}

export async function startSshd(dir: string, serve: { root: string; lfsHref: (repoPath: string) => string; lfsHeader: Record<string, string> }): Promise<Sshd> {
  await mkdir(dir, { recursive: true });
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(dir, name)]);
    return path.join(dir, name);
  };
  const hostKey = key('host_key');
  const clientKey = key('client_key');
  const port = await freePort();
  const serveScript = path.join(dir, 'serve.sh');
  const lfsAnswer = (repo: string) => JSON.stringify({ href: serve.lfsHref(repo), header: serve.lfsHeader, expires_in: 3600 });
  await writeFile(
    serveScript,
    [
      '#!/bin/sh',
      '# What a git host runs for a key: git-upload-pack, git-receive-pack, or git-lfs-authenticate answering with JSON.',
      'set -eu',
      'set -- $SSH_ORIGINAL_COMMAND',
      'repo=$(printf %s "$2" | tr -d "\'" | sed "s#^/##")',
      'case "$1" in',
      `  git-upload-pack) exec git-upload-pack "${serve.root}/$repo" ;;`,
      `  git-receive-pack) exec git-receive-pack "${serve.root}/$repo" ;;`,
      `  git-lfs-authenticate) printf '%s\\n' '${lfsAnswer('REPO')}' | sed "s#REPO#$repo#" ;;`,
      '  *) echo "not allowed: $1" >&2; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  await chmod(serveScript, 0o755);
  const authorized = path.join(dir, 'authorized_keys');
  await writeFile(authorized, `command="${serveScript}",no-pty,no-port-forwarding,no-agent-forwarding ${(await readFile(`${clientKey}.pub`, 'utf8')).trim()}\n`);
  await chmod(authorized, 0o600);
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${os.userInfo().username}`,
      '',
    ].join('\n'),
  );
  await mkdir('/run/sshd', { recursive: true });
  const daemon: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
    daemon.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${log}`)));
    const ready = () => (log.includes('Server listening') ? (clearTimeout(timer), resolve()) : undefined);
    daemon.stderr?.on('data', ready);
  });
  const hostLine = `[127.0.0.1]:${port} ${(await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ')}`;
  await writeFile(path.join(dir, 'known_hosts'), `${hostLine}\n`);
  await writeFile(path.join(dir, 'known_hosts_empty'), '');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${hostKey}.pub`]).toString().trim();
  return {
    port,
    fingerprint,
    sshCommand: (trusted) => `ssh -i ${clientKey} -o IdentitiesOnly=yes -o UserKnownHostsFile=${path.join(dir, trusted ? 'known_hosts' : 'known_hosts_empty')} -o GlobalKnownHostsFile=/dev/null`,
    stop: async () => {
      daemon.kill('SIGTERM');
      await new Promise((resolve) => (daemon.exitCode !== null ? resolve(undefined) : daemon.once('exit', resolve)));
    },
  };
}
