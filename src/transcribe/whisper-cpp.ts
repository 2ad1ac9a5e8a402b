/** whisper.cpp server: POST /inference, multipart `file`, `language` (its default is "en": always send one). */
import { audioFile, joinUrl, postForText, type TranscribeRequest, type TranscribeResult } from './types.js';
import { FormData } from '../adapters/http-fetch.js';

export async function transcribeWhisperCpp(request: TranscribeRequest): Promise<TranscribeResult> {
  const url = joinUrl(request.baseUrl, '/inference');
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('file', blob, name);
  form.append('language', request.language ?? 'auto');
  form.append('response_format', 'json');
  return postForText(url, form, request, 'whisper.cpp /inference');
}
