/**
 * OpenAI-compatible transcription (speaches, vLLM, LocalAI, ...):
 * POST /v1/audio/transcriptions, multipart `file`, `model`, `language`, `response_format=json` → {"text"}.
 */
import { audioFile, joinUrl, postForText, type Transcriber, type TranscribeRequest, type TranscribeResult } from './types.js';
import { FormData } from '../adapters/http-fetch.js';

const ROUTE = '/v1/audio/transcriptions';

/**
 * Names a model in each request (servers that host several need it): the assertion's, else
 * whisper-1 (speaches maps it to faster-whisper-large-v3; vLLM and LocalAI want the served name).
 */
export const transcribeOpenAi: Transcriber = async (request: TranscribeRequest): Promise<TranscribeResult> => {
  const url = joinUrl(request.baseUrl, ROUTE);
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('file', blob, name);
  form.append('model', request.model ?? 'whisper-1');
  form.append('response_format', 'json');
  if (request.language) form.append('language', request.language);
  return postForText(url, form, request, `openai ${ROUTE}`);
};
