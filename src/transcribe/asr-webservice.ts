/** whisper-asr-webservice: POST /asr?task=transcribe&language=..&output=json, multipart `audio_file` (JSON labelled text/plain). */
import { audioFile, joinUrl, postForText, type TranscribeRequest, type TranscribeResult } from './types.js';
import { FormData } from '../adapters/http-fetch.js';

export async function transcribeAsrWebservice(request: TranscribeRequest): Promise<TranscribeResult> {
  const query = new URLSearchParams({ task: 'transcribe', output: 'json', ...(request.language ? { language: request.language } : {}) });
  const url = joinUrl(request.baseUrl, `/asr?${query.toString()}`);
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('audio_file', blob, name);
  // It answers JSON labelled text/plain: readJson parses the body whatever its type says.
  return postForText(url, form, request, 'asr-webservice /asr');
}
