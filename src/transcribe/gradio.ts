/**
 * Transcription through a Gradio app's HTTP API (4.x at the root, 5.x under `api_prefix`):
 * GET /config → POST {p}/upload → POST {p}/call/<api> → GET {p}/call/<api>/<event_id> (SSE).
 * Plain fetch instead of @gradio/client, which has a history of Node-side bugs.
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

/** How to call one named endpoint: where the audio goes in `data`, where the text comes out. */
interface EndpointShape {
  readonly name: string;
  readonly inputs: readonly unknown[];
  readonly audioIndex: number;
  readonly languageIndex: number | undefined;
  readonly outputIndex: number;
}

function componentIs(value: unknown, component: string): boolean {
  return isRecord(value) && typeof value['component'] === 'string' && value['component'].toLowerCase() === component;
}

/** Pick the named endpoint with an Audio input and a Textbox output from `{p}/info`. */
export function pickEndpoint(info: unknown): EndpointShape | undefined {
  const endpoints = isRecord(info) ? info['named_endpoints'] : undefined;
  if (!isRecord(endpoints)) return undefined;
  for (const [name, spec] of Object.entries(endpoints)) {
    if (!isRecord(spec)) continue;
    const parameters = Array.isArray(spec['parameters']) ? spec['parameters'] : [];
    const returns = Array.isArray(spec['returns']) ? spec['returns'] : [];
    const audioIndex = parameters.findIndex((p) => componentIs(p, 'audio'));
    const outputIndex = returns.findIndex((r) => componentIs(r, 'textbox'));
    if (audioIndex < 0 || outputIndex < 0) continue;
    const languageIndex = parameters.findIndex(
      (p, i) => i !== audioIndex && isRecord(p) && /lang/i.test(`${String(p['parameter_name'])} ${String(p['label'])}`),
    );
    const inputs = parameters.map((p) => (isRecord(p) && p['parameter_has_default'] ? p['parameter_default'] : null));
    return { name, inputs, audioIndex, languageIndex: languageIndex < 0 ? undefined : languageIndex, outputIndex };
  }
  return undefined;
}

interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Read server-sent events until `complete` or `error`; undefined when the stream ends first. */
async function finalEvent(response: Response): Promise<SseEvent | undefined> {
  if (!response.body) return undefined;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: RegExpExecArray | null;
      while ((end = /\r?\n\r?\n/.exec(buffer))) {
        const block = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end[0].length);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
        if (event === 'complete' || event === 'error') return { event, data: data.join('\n') };
      }
    }
    return undefined;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export const transcribeGradio: Transcriber = async (request: TranscribeRequest): Promise<TranscribeResult> => {
  const { signal } = request;
  const configUrl = joinUrl(request.baseUrl, '/config');
  const config = await readJson(await fetchOk(configUrl, { method: 'GET', signal }), 'GET', configUrl);
  const prefix = isRecord(config) && typeof config['api_prefix'] === 'string' ? config['api_prefix'].replace(/\/+$/, '') : '';
  const version = isRecord(config) && typeof config['version'] === 'string' ? config['version'] : '?';
  const apiBase = joinUrl(request.baseUrl, prefix);

  let shape: EndpointShape;
  if (request.endpoint) {
    shape = { name: request.endpoint, inputs: [null], audioIndex: 0, languageIndex: undefined, outputIndex: 0 };
  } else {
    const infoUrl = `${apiBase}/info`;
    const info = await readJson(await fetchOk(infoUrl, { method: 'GET', signal }), 'GET', infoUrl);
    const picked = pickEndpoint(info);
    if (!picked) throw new Error(`GET ${infoUrl}: no named endpoint takes Audio and returns a Textbox`);
    shape = picked;
  }
  const api = shape.name.replace(/^\/+/, '');

  const started = performance.now();
  const uploadUrl = `${apiBase}/upload`;
  const { blob, name } = await audioFile(request.audioPath);
  const form = new FormData();
  form.append('files', blob, name);
  const uploaded = await readJson(await fetchOk(uploadUrl, { method: 'POST', body: form, signal }), 'POST', uploadUrl);
  const serverPath = Array.isArray(uploaded) ? uploaded[0] : undefined;
  if (typeof serverPath !== 'string') {
    throw new Error(`POST ${uploadUrl}: expected a list of server paths, got ${JSON.stringify(uploaded).slice(0, 300)}`);
  }

  const data = [...shape.inputs];
  data[shape.audioIndex] = { path: serverPath, orig_name: name, meta: { _type: 'gradio.FileData' } };
  if (shape.languageIndex !== undefined && request.language) data[shape.languageIndex] = request.language;
  const callUrl = `${apiBase}/call/${api}`;
  const called = await readJson(
    await fetchOk(callUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data }),
      signal,
    }),
    'POST',
    callUrl,
  );
  const eventId = isRecord(called) ? called['event_id'] : undefined;
  if (typeof eventId !== 'string') throw new Error(`POST ${callUrl}: no event_id in ${JSON.stringify(called).slice(0, 300)}`);

  const resultUrl = `${callUrl}/${eventId}`;
  const final = await finalEvent(await fetchOk(resultUrl, { method: 'GET', signal }));
  const latencyMs = Math.round(performance.now() - started);
  if (!final) throw new Error(`GET ${resultUrl}: the event stream ended without a result`);
  const payload = parseData(final.data);
  if (final.event === 'error') {
    const message = payload === null ? 'the app raised an error (it hides details unless show_error=True)' : String(payload);
    throw new Error(`GET ${resultUrl} → error event: ${message}`);
  }
  const output = Array.isArray(payload) ? payload[shape.outputIndex] : undefined;
  if (output !== null && typeof output !== 'string') {
    throw new Error(`GET ${resultUrl}: expected a text output, got ${final.data.slice(0, 300)}`);
  }
  return { text: output ?? '', latencyMs, via: `gradio ${version} ${prefix}/call/${api}` };
};
