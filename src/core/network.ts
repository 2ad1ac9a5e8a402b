/**
 * The service and the network: whether it can run in a namespace with only loopback here, whether its
 * connection attempts can be traced, and the judgement — the assertion "no network needed" passes when
 * the service tried to reach nothing but its own ports and the plan's allowConnections while it
 * started and answered.
 */
import type { ProcessRunner } from '../adapters/run.js';
import type { AssertionResult, ConnectionAttempt, ConnectionsRecord } from '../model/record.js';
import type { Plan } from '../plan/types.js';
import type { JailPlan } from '../service/jail.js';

export const NETWORK_ASSERTION = 'no network needed';

export interface NetworkDecision {
  readonly jail: JailPlan;
  /** When the service runs in the host's network, why (for the report). */
  readonly notIsolated?: string;
  /** When the attempts cannot be traced, why. */
  readonly notTraced?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Where the host allows it: root, or a user namespace mapped to root (unprivileged user namespaces),
 * each tried for real with `unshare` (a stand-in on PATH shows a host that refuses).
 */
export async function decideNetwork(plan: Plan, mode: string, runner: ProcessRunner, env: Readonly<Record<string, string>> | undefined, signal: AbortSignal): Promise<NetworkDecision> {
  const traceable = process.platform === 'linux' && process.arch === 'x64';
  const notTraced = traceable ? undefined : `the connection tracer runs on Linux x86_64 only (this is ${process.platform} ${process.arch})`;
  const jailOf = (unshare?: readonly string[]): JailPlan => ({ ...(unshare ? { unshare } : {}), trace: traceable });
  const host = (why: string): NetworkDecision => ({ jail: jailOf(), notIsolated: why, ...(notTraced ? { notTraced } : {}) });
  // A new node's service serves clients, on the host's network; the tracer stays its parent for as long as it runs.
  if (mode === 'setup') return host('setup leaves the service in the host network: it must serve clients');
  if (plan.isolation.network === 'host') return host('isolation.network: host');
  const { hostname } = new URL(plan.service.url);
  if (!LOOPBACK.has(hostname)) return host(`service.url names ${hostname}, not a loopback address the drill can carry into a namespace`);
  const attempts = process.getuid?.() === 0 ? [['unshare', '--net']] : [['unshare', '--user', '--map-root-user', '--net']];
  const reasons: string[] = [];
  for (const unshare of attempts) {
    const tried = await runner.run(unshare[0]!, [...unshare.slice(1), 'true'], { env, signal, timeoutMs: 10_000 });
    if (tried.exitCode === 0) return { jail: jailOf(unshare), ...(notTraced ? { notTraced } : {}) };
    reasons.push(`${tried.command}: ${(tried.stderr || tried.stdout || `exit ${tried.exitCode}`).trim().split('\n').at(-1)}`);
  }
  return host(`this host refused a network namespace (${reasons.join('; ')})`);
}

const ANY = new Set(['0.0.0.0', '::', '127.0.0.1', '::1']);

/** The attempts that count: not to the service's own port, not to an address the plan allows. */
export function judgeConnections(
  attempts: readonly ConnectionAttempt[],
  plan: Plan,
  watched: { readonly traced: boolean; readonly why?: string },
): { record: ConnectionsRecord; assertion: AssertionResult } {
  const url = new URL(plan.service.url);
  const ownPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const allowed = new Set(plan.isolation.allowConnections ?? []);
  const counted = attempts.filter((a) => !(a.port === ownPort && ANY.has(a.address)) && !allowed.has(`${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`));
  const record: ConnectionsRecord = { watched: watched.traced, ...(watched.why ? { why: watched.why } : {}), attempts: counted };
  const base = { name: NETWORK_ASSERTION, api: 'connections', expected: 'no connection but to the service\'s own port and isolation.allowConnections', cer: null, required: true, latencyMs: null };
  if (!watched.traced) return { record, assertion: { ...base, actual: '', passed: false, inconclusive: true, detail: `the service's connection attempts could not be watched: ${watched.why ?? 'no tracer'}` } };
  const first = counted[0];
  if (!first) return { record, assertion: { ...base, actual: 'none', passed: true, detail: 'the service tried to reach nothing outside itself while it started and answered' } };
  const where = (a: ConnectionAttempt) => `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
  const detail =
    `the service tried to reach ${where(first)} while ${first.during === 'start' ? 'starting' : 'answering'} (${first.call}, pid ${first.pid} ${first.command}): a restore must not need it` +
    (counted.length > 1 ? `; and ${counted.length - 1} more attempt(s): ${[...new Set(counted.slice(1).map(where))].join(', ')}` : '');
  return { record, assertion: { ...base, actual: [...new Set(counted.map(where))].join(', '), passed: false, detail } };
}
