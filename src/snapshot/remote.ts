/**
 * The backup repository as a remote: which transport (file, https, ssh), the URL git may see (never
 * with credentials in it), how to name it in messages, and the credentials that go with it — taken
 * from the plan's environment variables or the URL itself, and handed to git outside argv.
 */
import path from 'node:path';
import { DrillError } from '../model/errors.js';
import { redactUrl } from '../model/redact.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface Remote {
  readonly kind: 'file' | 'http' | 'ssh';
  /** What git gets in argv: no user name or password in it. */
  readonly url: string;
  /** For messages, events and reports. */
  readonly display: string;
  /** Explicit credentials (plan or URL); without them git's credential helpers are asked. */
  readonly credentials?: Credentials;
  /** file: the repository's directory. */
  readonly dir?: string;
  /** ssh: where to connect and which repository path to name. */
  readonly ssh?: { readonly user?: string; readonly host: string; readonly port?: number; readonly path: string };
}

export interface AuthPlan {
  readonly usernameEnv?: string;
  readonly passwordEnv?: string;
  readonly tokenEnv?: string;
  readonly username?: string;
}

const SCP_LIKE = /^(?:([^@/\s]+)@)?([^:/\s]+):(?!\/\/)(.+)$/;

function fromEnv(name: string, env: Readonly<Record<string, string | undefined>>): string {
  const value = env[name];
  if (value === undefined || value === '') throw new DrillError(`the plan takes the backup's credentials from $${name}, which is not set`, { hint: `export ${name}=… before the drill (or remove snapshot.auth to use git's credential helpers)` });
  return value;
}

function planCredentials(auth: AuthPlan | undefined, env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  if (!auth) return undefined;
  if (auth.tokenEnv) return { username: auth.username ?? 'oauth2', password: fromEnv(auth.tokenEnv, env) };
  if (auth.passwordEnv) return { username: auth.usernameEnv ? fromEnv(auth.usernameEnv, env) : (auth.username ?? ''), password: fromEnv(auth.passwordEnv, env) };
  return undefined;
}

export function parseRemote(repo: string, auth?: AuthPlan, env: Readonly<Record<string, string | undefined>> = process.env): Remote {
  if (repo.startsWith('/')) return { kind: 'file', url: `file://${repo}`, display: `file://${repo}`, dir: repo };
  const scp = SCP_LIKE.exec(repo);
  if (scp && !repo.includes('://')) {
    const [, user, host, repoPath] = scp as unknown as [string, string | undefined, string, string];
    return { kind: 'ssh', url: repo, display: repo, ssh: { ...(user ? { user } : {}), host, path: repoPath } };
  }
  let parsed: URL;
  try {
    parsed = new URL(repo);
  } catch {
    throw new DrillError(`snapshot.repo ${redactUrl(repo)} is not a URL git can clone`, { hint: 'use https://host/path.git, ssh://host/path.git, git@host:path.git or file:///path' });
  }
  if (parsed.protocol === 'file:') {
    const dir = decodeURIComponent(parsed.pathname);
    return { kind: 'file', url: `file://${dir}`, display: `file://${dir}`, dir: path.resolve(dir) };
  }
  const fromUrl = parsed.username || parsed.password ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } : undefined;
  parsed.username = '';
  parsed.password = '';
  const clean = parsed.toString();
  const credentials = planCredentials(auth, env) ?? fromUrl;
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { kind: 'http', url: clean, display: redactUrl(clean), ...(credentials ? { credentials } : {}) };
  if (parsed.protocol === 'ssh:') {
    const port = parsed.port ? Number(parsed.port) : undefined;
    const user = fromUrl?.username;
    return { kind: 'ssh', url: clean.replace('ssh://', `ssh://${user ? `${user}@` : ''}`), display: redactUrl(clean), ssh: { ...(user ? { user } : {}), host: parsed.hostname, ...(port ? { port } : {}), path: parsed.pathname.replace(/^\//, '') } };
  }
  throw new DrillError(`snapshot.repo: the ${parsed.protocol} transport is not supported`, { hint: 'use https, ssh or file' });
}

/** The secret values a remote carries: every text that leaves the drill is scrubbed of them. */
export function remoteSecrets(remote: Remote): string[] {
  return remote.credentials ? [remote.credentials.password] : [];
}

/**
 * Environment for git (and git-lfs, which asks git) that hands over the credentials through a
 * credential helper defined in the environment: the secret is in an environment variable, never
 * in argv. Without explicit credentials, git's own credential helpers are used as configured.
 * The entries follow any `GIT_CONFIG_*` entries already in `env` (the operator's own stay).
 */
export function gitCredentialEnv(remote: Remote, env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  if (!remote.credentials) return {};
  const first = Number.parseInt(env['GIT_CONFIG_COUNT'] ?? '', 10) || 0;
  return {
    GIT_CONFIG_COUNT: String(first + 2),
    // An empty helper first resets the list: the plan's credentials win over a stored pair.
    [`GIT_CONFIG_KEY_${first}`]: 'credential.helper',
    [`GIT_CONFIG_VALUE_${first}`]: '',
    [`GIT_CONFIG_KEY_${first + 1}`]: 'credential.helper',
    [`GIT_CONFIG_VALUE_${first + 1}`]: '!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" "$WHISPER_DRILL_GIT_USERNAME" "$WHISPER_DRILL_GIT_PASSWORD"; }; f',
    WHISPER_DRILL_GIT_USERNAME: remote.credentials.username,
    WHISPER_DRILL_GIT_PASSWORD: remote.credentials.password,
  };
}
