/**
 * Credentials for the LFS server over HTTP, the way git users keep them: the plan's (or the URL's),
 * else git's credential helpers (`git credential fill`, the request on stdin — never in argv), told
 * afterwards whether the pair worked (`approve` / `reject`).
 */
import type { ProcessRunner } from '../../adapters/run.js';
import { run } from '../../adapters/run.js';
import type { Credentials } from '../remote.js';

export interface HttpAuth {
  /** The Authorization header to send, if any is known yet. */
  header(): Promise<string | undefined>;
  /** The server answered 401: ask git's helpers once for a pair; false when there is none to try. */
  challenged(): Promise<boolean>;
  /** Tell git's helpers how the pair they gave fared. */
  settle(worked: boolean): Promise<void>;
}

const basic = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

function credentialRequest(url: URL, pair?: Credentials): string {
  const lines = [`protocol=${url.protocol.replace(':', '')}`, `host=${url.host}`, `path=${url.pathname.replace(/^\//, '')}`];
  if (pair) lines.push(`username=${pair.username}`, `password=${pair.password}`);
  return `${lines.join('\n')}\n\n`;
}

function parseCredential(output: string): Credentials | undefined {
  const fields = new Map(output.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
  const password = fields.get('password');
  return password ? { username: fields.get('username') ?? '', password } : undefined;
}

export function httpAuth(
  url: string,
  options: { readonly explicit?: Credentials; readonly runner?: ProcessRunner; readonly env?: Readonly<Record<string, string>>; readonly onSecret?: (secret: string) => void },
): HttpAuth {
  const target = new URL(url);
  let fromHelper: Credentials | undefined;
  let asked = false;
  const git = (args: string[], input: string) =>
    run('git', ['credential', ...args], { runner: options.runner, input, env: { ...options.env, GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 30_000 });
  return {
    header: async () => {
      const pair = options.explicit ?? fromHelper;
      return pair ? basic(pair) : undefined;
    },
    challenged: async () => {
      if (options.explicit || asked) return false;
      asked = true;
      const result = await git(['fill'], credentialRequest(target));
      fromHelper = result.exitCode === 0 ? parseCredential(result.stdout) : undefined;
      if (fromHelper) options.onSecret?.(fromHelper.password);
      return fromHelper !== undefined;
    },
    settle: async (worked) => {
      if (!fromHelper) return;
      await git([worked ? 'approve' : 'reject'], credentialRequest(target, fromHelper));
    },
  };
}
