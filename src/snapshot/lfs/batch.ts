/**
 * The LFS Batch API (the public protocol every LFS server speaks): one POST names the objects, the
 * answer gives each a download href and the headers to send with it. Transient answers (429, 5xx, a
 * dropped connection) are retried with backoff; the rest fail naming the server's status and what to do.
 */
import { sleep } from '../../model/sleep.js';
import { DEFAULT_RETRY, waitAfter, type RetryPolicy } from './retry-policy.js';
import { DrillError } from '../../model/errors.js';
import { redactUrl } from '../../model/redact.js';
import type { HttpAuth } from './http-auth.js';
import { readText, request, type Connections } from './http-client.js';

export interface LfsObject {
  readonly oid: string;
  readonly size: number;
}

export interface DownloadAction {
  readonly oid: string;
  readonly size: number;
  readonly href: string;
  readonly header: Readonly<Record<string, string>>;
}

export interface BatchAnswer {
  readonly actions: DownloadAction[];
  /** Objects the server says it cannot give, with its words. */
  readonly refused: Array<{ oid: string; code: number; message: string }>;
}

export interface BatchOptions {
  readonly endpoint: string;
  /** Headers of the endpoint itself (e.g. from git-lfs-authenticate). */
  readonly header?: Readonly<Record<string, string>>;
  readonly auth: HttpAuth;
  readonly connections?: Connections;
  readonly signal?: AbortSignal;
  /** Default: 5 retries, a quarter second doubling up to 4 s (./retry-policy.ts). */
  readonly retry?: RetryPolicy;
}

const LFS_JSON = 'application/vnd.git-lfs+json';

function explain(status: number, endpoint: string, body: string): DrillError {
  const where = `the LFS server at ${redactUrl(endpoint)} answered HTTP ${status}`;
  const said = body.trim() ? `: ${body.trim().slice(0, 200)}` : '';
  if (status === 401) return new DrillError(`${where} (authentication required or refused)${said}`, { hint: 'give the backup\'s credentials: snapshot.auth in the plan, or a git credential helper (git credential approve)' });
  if (status === 403) return new DrillError(`${where} (access denied)${said}`, { hint: 'these credentials may not read this repository: check the token\'s scope (read_repository / read access)' });
  if (status === 404) return new DrillError(`${where} (no such repository or LFS endpoint)${said}`, { hint: 'check snapshot.repo, and lfs.url in the backup\'s .lfsconfig if it has one' });
  return new DrillError(`${where}${said}`, { hint: 'the server is failing: try again later, or ask its administrators' });
}

export async function requestBatch(objects: readonly LfsObject[], options: BatchOptions): Promise<BatchAnswer> {
  const url = `${options.endpoint.replace(/\/$/, '')}/objects/batch`;
  const body = JSON.stringify({ operation: 'download', transfers: ['basic'], objects: objects.map(({ oid, size }) => ({ oid, size })), hash_algo: 'sha256' });
  const retry = options.retry ?? DEFAULT_RETRY;
  const retries = retry.retries;
  let challenged = false;
  for (let attempt = 0; ; attempt += 1) {
    const authorization = await options.auth.header();
    let status: number;
    let retryAfter: string | undefined;
    let text: string;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { accept: LFS_JSON, 'content-type': LFS_JSON, ...options.header, ...(authorization ? { authorization } : {}) },
        body,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.connections ? { connections: options.connections } : {}),
      });
      status = response.statusCode ?? 0;
      retryAfter = response.headers['retry-after'];
      text = await readText(response);
    } catch (error) {
      if (options.signal?.aborted || error instanceof DrillError) throw error;
      if (attempt >= retries) throw new DrillError(`the LFS server at ${redactUrl(url)} could not be reached: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, { hint: 'check the network and snapshot.repo' });
      await sleep(retry.delayMs(attempt), options.signal);
      continue;
    }
    if (status === 401 && !challenged && (await options.auth.challenged())) {
      challenged = true;
      continue;
    }
    if (status === 429 || status >= 500) {
      if (attempt >= retries) throw explain(status, url, text);
      await sleep(waitAfter(retry, attempt, retryAfter), options.signal);
      continue;
    }
    const ok = status >= 200 && status < 300;
    await options.auth.settle(ok);
    if (!ok) throw explain(status, url, text);
    return parseAnswer(text, url);
  }
}

function parseAnswer(text: string, url: string): BatchAnswer {
  let parsed: { objects?: Array<{ oid: string; size: number; actions?: { download?: { href: string; header?: Record<string, string> } }; error?: { code: number; message: string } }> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new DrillError(`the LFS server at ${redactUrl(url)} answered something that is not LFS JSON: ${text.slice(0, 120)}`);
  }
  const answer: BatchAnswer = { actions: [], refused: [] };
  for (const object of parsed.objects ?? []) {
    const download = object.actions?.download;
    if (download) answer.actions.push({ oid: object.oid, size: object.size, href: download.href, header: download.header ?? {} });
    else answer.refused.push({ oid: object.oid, code: object.error?.code ?? 0, message: object.error?.message ?? 'no download action' });
  }
  return answer;
}
