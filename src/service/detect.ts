/**
 * Which API a running service speaks, its version and its transcription endpoint, from what it
 * says about itself: FastAPI's /openapi.json (speaches, whisper-asr-webservice), Gradio's /config
 * and /info, an OpenAI-compatible /v1/models (vLLM, LocalAI), whisper.cpp's page and /health.
 * `whisper-drill probe` prints it; `init` writes it into the plan.
 */
import { fetch } from '../adapters/http-fetch.js';
import type { TranscriptionApi } from '../plan/types.js';
import { findTranscriptionEndpoint, readGradioApp } from '../transcribe/gradio-app.js';
import { authHeaders, isRecord, joinUrl, refusalMessage } from '../transcribe/types.js';

export interface ServiceDetection {
  readonly url: string;
  readonly api: Exclude<TranscriptionApi, 'command'>;
  /** e.g. "Gradio", "speaches", "vLLM", "whisper.cpp server". */
  readonly server: string;
  readonly version?: string;
  /** The transcription route, e.g. /transcribe (Gradio), /v1/audio/transcriptions. */
  readonly endpoint: string;
  /** OpenAI-compatible: a model the server lists for transcription. */
  readonly model?: string;
  /** Where readiness is best probed. */
  readonly readyPath: string;
  /** A route answered 401/403: the plan needs service.apiKeyEnv. */
  readonly needsKey: boolean;
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

export interface DetectOptions {
  readonly apiKey?: string;
  readonly signal?: AbortSignal;
}

async function get(base: string, route: string, options: DetectOptions): Promise<Answer | undefined> {
  // A timer of our own, held until the request settles: Node 20 may collect AbortSignal.any's timeout
  // signal while fetch waits, and the request then waits for ever.
  const request = new AbortController();
  const giveUp = setTimeout(() => request.abort(new Error('no answer within 10 s')), 10_000);
  const stop = () => request.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const response = await fetch(joinUrl(base, route), { headers: authHeaders(options.apiKey), signal: request.signal, redirect: 'manual' });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return undefined;
  } finally {
    clearTimeout(giveUp);
    options.signal?.removeEventListener('abort', stop);
  }
}

const refused = (answer: Answer | undefined) => answer?.status === 401 || answer?.status === 403;

/** The first model whose id says whisper (or the first model at all). */
function transcriptionModel(models: Answer | undefined): string | undefined {
  const data = isRecord(models?.json) && Array.isArray(models.json['data']) ? models.json['data'] : [];
  const ids = data.flatMap((m) => (isRecord(m) && typeof m['id'] === 'string' ? [{ id: m['id'], owner: m['owned_by'] }] : []));
  return (ids.find((m) => /whisper/i.test(m.id)) ?? ids[0])?.id;
}

async function openAiCompatible(url: string, server: string, version: string | undefined, readyPath: string, options: DetectOptions): Promise<ServiceDetection> {
  const models = await get(url, '/v1/models', options);
  if (refused(models) && options.apiKey) throw new Error(`GET ${joinUrl(url, '/v1/models')} → ${models!.status}: ${refusalMessage(true)}`);
  const model = transcriptionModel(models);
  return {
    url,
    api: 'openai',
    server,
    ...(version ? { version } : {}),
    endpoint: '/v1/audio/transcriptions',
    ...(model ? { model } : {}),
    readyPath,
    needsKey: refused(models),
  };
}

export async function detectService(url: string, options: DetectOptions = {}): Promise<ServiceDetection> {
  const openapi = await get(url, '/openapi.json', options);
  const info = isRecord(openapi?.json) && isRecord(openapi.json['info']) ? openapi.json['info'] : {};
  const title = typeof info['title'] === 'string' ? info['title'] : '';
  const apiVersion = typeof info['version'] === 'string' ? info['version'] : undefined;
  if (/^speaches$/i.test(title)) return openAiCompatible(url, 'speaches', apiVersion, '/health', options);
  if (/whisper asr webservice/i.test(title)) {
    return { url, api: 'asr-webservice', server: 'whisper-asr-webservice', ...(apiVersion ? { version: apiVersion } : {}), endpoint: '/asr', readyPath: '/docs', needsKey: false };
  }

  const config = await get(url, '/config', options);
  if (isRecord(config?.json) && ('version' in config.json || 'components' in config.json)) {
    const app = await readGradioApp(url, options);
    const endpoint = await findTranscriptionEndpoint(app, options);
    return { url, api: 'gradio', server: 'Gradio', version: app.version, endpoint: endpoint.name, readyPath: '/', needsKey: false };
  }

  const models = await get(url, '/v1/models', options);
  if (refused(models) || (isRecord(models?.json) && Array.isArray(models.json['data']))) {
    const owners = JSON.stringify(models?.json ?? '');
    const vllm = /"owned_by":\s*"vllm"/.test(owners);
    const version = await get(url, '/version', options);
    const said = isRecord(version?.json) && typeof version.json['version'] === 'string' ? version.json['version'] : undefined;
    return openAiCompatible(url, vllm ? 'vLLM' : 'OpenAI-compatible server', said, vllm ? '/health' : '/v1/models', options);
  }

  const page = await get(url, '/', options);
  const health = await get(url, '/health', options);
  const healthOk = isRecord(health?.json) && typeof health.json['status'] === 'string';
  if (/<title>\s*Whisper\.cpp Server/i.test(page?.text ?? '') || healthOk) {
    return { url, api: 'whisper-cpp', server: 'whisper.cpp server', endpoint: '/inference', readyPath: '/health', needsKey: false };
  }
  if (!page && !health) throw new Error(`${url} does not answer (is the service running?)`);
  throw new Error(`${url} answers, but not as a service whisper-drill knows (tried /openapi.json, /config, /v1/models, /, /health)`);
}
