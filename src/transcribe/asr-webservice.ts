/** whisper-asr-webservice: POST /asr?task=transcribe&language=..&output=json, multipart `audio_file` (JSON labelled text/plain). */
import { audioFile, fetchOk, isRecord, joinUrl, readJson, type TranscribeRequest, type TranscribeResult } from './types.js';

export async function transcribeAsrWebservice(request: TranscribeRequest): Promise<TranscribeResult> {
  const query = new URLSearchParams({ task: 'transcribe', output: 'json', ...(request.language ? { language: request.language } : {}) });
  const url = joinUrl(request.baseUrl, `/asr?${query.toString()}`);
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('audio_file', blob, name);
  const started = performance.now();
  const response = await fetchOk(url, { method: 'POST', body: form, signal: request.signal });
  const body = await readJson(response, 'POST', url);
  const latencyMs = Math.round(performance.now() - started);
  if (!isRecord(body) || typeof body['text'] !== 'string') throw new Error(`POST ${url} → ${response.status}: no "text" in the answer`);
  return { text: body['text'], latencyMs, via: 'asr-webservice /asr' };
}
