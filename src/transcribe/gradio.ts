/**
 * Transcription through a Gradio app's HTTP API (4.x at the root, 5.x and 6.x under `api_prefix`):
 * GET /config → GET {p}/info → POST {p}/upload → POST {p}/call/<api> → GET {p}/call/<api>/<event_id> (SSE).
 * Plain fetch instead of @gradio/client, which has a history of Node-side bugs.
 */
import { findTranscriptionEndpoint, readGradioApp, type EndpointShape } from './gradio-app.js';
import { errorEventMessage, finalEvent, parseData } from './gradio-events.js';
import {
  audioFile,
  authHeaders,
  fetchOk,
  isRecord,
  readJson,
  type Transcriber,
  type TranscribeRequest,
  type TranscribeResult,
} from './types.js';
import { FormData } from '../adapters/http-fetch.js';

export { pickEndpoint } from './gradio-app.js';

export const transcribeGradio: Transcriber = async (request: TranscribeRequest): Promise<TranscribeResult> => {
  const { signal, apiKey } = request;
  const headers = authHeaders(apiKey);
  const app = await readGradioApp(request.baseUrl, request);
  const shape: EndpointShape = request.endpoint
    ? { name: request.endpoint, inputs: [null], audioIndex: 0, languageIndex: undefined, outputIndex: 0 }
    : await findTranscriptionEndpoint(app, request);
  const api = shape.name.replace(/^\/+/, '');

  const started = performance.now();
  const uploadUrl = `${app.apiBase}/upload`;
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('files', blob, name);
  const uploaded = await readJson(await fetchOk(uploadUrl, { method: 'POST', body: form, signal, headers }), 'POST', uploadUrl);
  const serverPath = Array.isArray(uploaded) ? uploaded[0] : undefined;
  if (typeof serverPath !== 'string') {
    throw new Error(`POST ${uploadUrl}: expected a list of server paths, got ${JSON.stringify(uploaded).slice(0, 300)}`);
  }

  const data = [...shape.inputs];
  data[shape.audioIndex] = { path: serverPath, orig_name: name, meta: { _type: 'gradio.FileData' } };
  if (shape.languageIndex !== undefined && request.language) data[shape.languageIndex] = request.language;
  const callUrl = `${app.apiBase}/call/${api}`;
  const called = await readJson(
    await fetchOk(callUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ data }), signal }),
    'POST',
    callUrl,
  );
  const eventId = isRecord(called) ? called['event_id'] : undefined;
  if (typeof eventId !== 'string') throw new Error(`POST ${callUrl}: no event_id in ${JSON.stringify(called).slice(0, 300)}`);

  const resultUrl = `${callUrl}/${eventId}`;
  const final = await finalEvent(await fetchOk(resultUrl, { method: 'GET', signal, headers }));
  const latencyMs = Math.round(performance.now() - started);
  if (!final) throw new Error(`GET ${resultUrl}: the event stream ended without a result`);
  const payload = parseData(final.data);
  if (final.event === 'error') throw new Error(`gradio ${app.version} /${api}: the app raised an error: ${errorEventMessage(payload)}`);
  const output = Array.isArray(payload) ? payload[shape.outputIndex] : undefined;
  if (output !== null && typeof output !== 'string') {
    throw new Error(`GET ${resultUrl}: expected a text output, got ${final.data.slice(0, 300)}`);
  }
  return { text: output ?? '', latencyMs, via: `gradio ${app.version} ${app.prefix}/call/${api}` };
};
