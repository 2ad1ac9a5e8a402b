/** whisper.cpp server: POST /inference, multipart `file`, `language` (its default is "en": always send one). */
import { audioFile, fetchOk, isRecord, joinUrl, readJson, type TranscribeRequest, type TranscribeResult } from './types.js';

export async function transcribeWhisperCpp(request: TranscribeRequest): Promise<TranscribeResult> {
  const url = joinUrl(request.baseUrl, '/inference');
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('file', blob, name);
  form.append('language', request.language ?? 'auto');
  form.append('response_format', 'json');
  const started = performance.now();
  const response = await fetchOk(url, { method: 'POST', body: form, signal: request.signal });
  const body = await readJson(response, 'POST', url);
  const latencyMs = Math.round(performance.now() - started);
  if (!isRecord(body) || typeof body['text'] !== 'string') throw new Error(`POST ${url} → ${response.status}: no "text" in the answer`);
  return { text: body['text'], latencyMs, via: 'whisper.cpp /inference' };
}
