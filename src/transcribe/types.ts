/**
 * One transcription call against a running service, whatever its API (Gradio, OpenAI-compatible),
 * plus the HTTP bits the clients share: error messages that name the request, the status and
 * an excerpt of the body.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fetch, Headers, type FormData, type RequestInit, type Response } from '../adapters/http-fetch.js';

export interface TranscribeRequest {
  /** e.g. http://127.0.0.1:7860 */
  readonly baseUrl: string;
  /** Absolute path of the audio file. */
  readonly audioPath: string;
  readonly language?: string;
  /** Gradio api name, e.g. "/predict"; discovered when absent. */
  readonly endpoint?: string;
  /** OpenAI-compatible servers: the model to name (default whisper-1). */
  readonly model?: string;
  /** Sent as `Authorization: Bearer <key>` on every request; never put in a message. */
  readonly apiKey?: string;
  readonly signal?: AbortSignal;
}

export interface TranscribeResult {
  readonly text: string;
  readonly latencyMs: number;
  /** What was called, e.g. "gradio 5.x /gradio_api/call/predict". */
  readonly via: string;
}

export type Transcriber = (request: TranscribeRequest) => Promise<TranscribeResult>;

const EXCERPT_CHARS = 300;

/** `base` without trailing slashes joined with `route` (which starts with "/"). */
export function joinUrl(base: string, route: string): string {
  return base.replace(/\/+$/, '') + route;
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat || '(empty body)';
}

/** The headers every request to the service carries: the API key, when the plan names one. */
export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/**
 * The message a server put in its error body, whatever its dialect: FastAPI `{"detail": "..."}`
 * (speaches, asr-webservice), whisper.cpp `{"error": "..."}`, OpenAI/vLLM/LocalAI
 * `{"error": {"message": "..."}}`, vLLM's older `{"object": "error", "message": "..."}`.
 */
export function serverMessage(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch {
    return excerpt(body);
  }
  if (!isRecord(parsed)) return excerpt(body);
  const { detail, error, message } = parsed;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return excerpt(detail.map((d) => (isRecord(d) && typeof d['msg'] === 'string' ? `${JSON.stringify(d['loc'] ?? '')}: ${d['msg']}` : JSON.stringify(d))).join('; '));
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error['message'] === 'string') return error['message'];
  if (typeof message === 'string') return message;
  return excerpt(body);
}

/** A 401/403 in the operator's words: either no key was sent, or the one sent was refused. */
export function refusalMessage(keySent: boolean): string {
  return keySent ? 'the key was refused' : 'the service wants an API key (set service.apiKeyEnv)';
}

/**
 * fetch that throws a readable Error for a network failure or a non-2xx answer:
 * `POST http://127.0.0.1:7860/gradio_api/upload → 500: <the server's message>`. An abort is rethrown as is.
 */
export async function fetchOk(url: string, init: RequestInit & { method: string }): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    throw new Error(`${init.method} ${url} → failed: ${detail}`, { cause: error });
  }
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    const said = serverMessage(body);
    if (response.status === 401 || response.status === 403) {
      const keySent = new Headers(init.headers).has('authorization');
      throw new Error(`${init.method} ${url} → ${response.status}: ${refusalMessage(keySent)} (${said})`);
    }
    throw new Error(`${init.method} ${url} → ${response.status}: ${said}`);
  }
  return response;
}

/** Parse a response as JSON; a non-JSON body is an error naming the request. */
export async function readJson(response: Response, method: string, url: string): Promise<unknown> {
  const body = await response.text();
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new Error(`${method} ${url} → ${response.status}: expected JSON, got: ${excerpt(body)}`);
  }
}

/** The audio file as a Blob with its base name, ready for FormData. */
export async function audioFile(audioPath: string): Promise<{ blob: Blob; name: string }> {
  const bytes = await readFile(audioPath);
  return { blob: new Blob([bytes]), name: path.basename(audioPath) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * POST a multipart form to a service that answers `{"text": ...}` (OpenAI-compatible, whisper.cpp,
 * whisper-asr-webservice); the latency is that of the request.
 */
export async function postForText(
  url: string,
  form: FormData,
  request: Pick<TranscribeRequest, 'signal' | 'apiKey'>,
  via: string,
): Promise<TranscribeResult> {
  const started = performance.now();
  const response = await fetchOk(url, { method: 'POST', body: form, signal: request.signal, headers: authHeaders(request.apiKey) });
  const body = await readJson(response, 'POST', url);
  const latencyMs = Math.round(performance.now() - started);
  if (!isRecord(body) || typeof body['text'] !== 'string') {
    throw new Error(`POST ${url} → ${response.status}: no "text" string in ${JSON.stringify(body).slice(0, 300)}`);
  }
  return { text: body['text'], latencyMs, via };
}
