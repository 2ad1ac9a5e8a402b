/**
 * OpenAI-compatible transcription (speaches, vLLM, LocalAI, ...):
 * POST /v1/audio/transcriptions, multipart `file`, `model`, `language`, `response_format=json` → {"text"}.
 */
import {
  audioFile,
  fetchOk,
  isRecord,
  joinUrl,
  readJson,
  type Transcriber,
  type TranscribeRequest,
  type TranscribeResult,
} from './types.js';

const ROUTE = '/v1/audio/transcriptions';

/** A transcriber that names `model` in each request (servers that host several models need it). */
export function openAiTranscriber(model = 'whisper-1'): Transcriber {
  return async (request: TranscribeRequest): Promise<TranscribeResult> => {
    const url = joinUrl(request.baseUrl, ROUTE);
    const { blob, name } = await audioFile(request.audioPath);
    const form = new FormData();
    form.append('file', blob, name);
    form.append('model', model);
    form.append('response_format', 'json');
    if (request.language) form.append('language', request.language);

    const started = performance.now();
    const response = await fetchOk(url, { method: 'POST', body: form, signal: request.signal });
    const body = await readJson(response, 'POST', url);
    const latencyMs = Math.round(performance.now() - started);
    if (!isRecord(body) || typeof body['text'] !== 'string') {
      throw new Error(`POST ${url} → ${response.status}: no "text" string in ${JSON.stringify(body).slice(0, 300)}`);
    }
    return { text: body['text'], latencyMs, via: `openai ${ROUTE}` };
  };
}

export const transcribeOpenAi: Transcriber = openAiTranscriber();
