/**
 * Secrets out of every text that leaves the drill: credentials in URLs (`user:pass@`), tokens in
 * query strings, Authorization headers, and the secret values themselves wherever they turn up
 * (a tool may echo them in its own words).
 */

const QUERY_SECRET = /([?&](?:access_token|token|private_token|key|api_key|apikey|password|sig|signature|X-Amz-Signature|X-Amz-Credential|X-Goog-Signature)=)[^&#\s"']+/gi;
const AUTH_HEADER = /\b(authorization|proxy-authorization|x-api-key|private-token)(["']?\s*[:=]\s*["']?)(?:(basic|bearer|token)\s+)?[^\s"',}]+/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@:]+(?::[^/\s@]*)?@/gi;

/** The URL with any user name and password removed (the user name kept as `***`), and query tokens hidden. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? '***' : '';
      parsed.password = '';
    }
    return parsed.toString().replace(QUERY_SECRET, '$1***');
  } catch {
    return redactText(url);
  }
}

/** A text with every known secret and every credential-shaped part replaced by `***`. */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text.replace(URL_USERINFO, '$1***@').replace(QUERY_SECRET, '$1***').replace(AUTH_HEADER, (_m, name: string, sep: string, scheme?: string) => `${name}${sep}${scheme ? `${scheme} ` : ''}***`);
  for (const secret of secrets) {
    // Short values would redact ordinary words; a secret is long enough to be worth guessing.
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** The same, through every string of a JSON-shaped value (an event, a record). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, secrets)])) as T;
  }
  return value;
}
