/**
 * OpenAI-compatible transcription (speaches, vLLM, LocalAI, ...):
 * POST /v1/audio/transcriptions, multipart `file`, `model`, `language`, `response_format=json` → {"text"}.
 */
import { audioFile, joinUrl, postForText, type Transcriber, type TranscribeRequest, type TranscribeResult } from './types.js';

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
    return postForText(url, form, request.signal, `openai ${ROUTE}`);
  };
}

export const transcribeOpenAi: Transcriber = openAiTranscriber();
