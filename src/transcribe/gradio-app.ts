/**
 * What a Gradio app says about itself: `GET /config` (version, `api_prefix` — none in 4.x,
 * "/gradio_api" since 5) and `GET {p}/info`, whose public named endpoint with an Audio input and a
 * Textbox output is the transcription endpoint (`/predict` for a 4/5 Interface, the function's name
 * — e.g. `/transcribe` — since 6).
 */
import { authHeaders, fetchOk, isRecord, joinUrl, readJson } from './types.js';

/** How to call one named endpoint: where the audio goes in `data`, where the text comes out. */
export interface EndpointShape {
  readonly name: string;
  readonly inputs: readonly unknown[];
  readonly audioIndex: number;
  readonly languageIndex: number | undefined;
  readonly outputIndex: number;
}

export interface GradioApp {
  readonly version: string;
  /** "" (4.x) or e.g. "/gradio_api". */
  readonly prefix: string;
  /** The base URL the API routes hang from. */
  readonly apiBase: string;
}

function componentIs(value: unknown, component: string): boolean {
  return isRecord(value) && typeof value['component'] === 'string' && value['component'].toLowerCase() === component;
}

/**
 * Gradio 6 marks each endpoint `api_visibility` public/undocumented/private (private ones are left
 * out of /info; undocumented ones only appear with ?all_endpoints); 4 and 5 mark `show_api`.
 */
function isPublic(spec: Record<string, unknown>): boolean {
  const visibility = spec['api_visibility'];
  if (typeof visibility === 'string') return visibility === 'public';
  return spec['show_api'] !== false;
}

/** Pick the public named endpoint with an Audio input and a Textbox output from `{p}/info`. */
export function pickEndpoint(info: unknown): EndpointShape | undefined {
  const endpoints = isRecord(info) ? info['named_endpoints'] : undefined;
  if (!isRecord(endpoints)) return undefined;
  for (const [name, spec] of Object.entries(endpoints)) {
    if (!isRecord(spec) || !isPublic(spec)) continue;
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

interface Call {
  readonly signal?: AbortSignal;
  readonly apiKey?: string;
}

async function getJson(url: string, call: Call): Promise<unknown> {
  return readJson(await fetchOk(url, { method: 'GET', signal: call.signal, headers: authHeaders(call.apiKey) }), 'GET', url);
}

/** GET /config: which Gradio, and where its API lives. */
export async function readGradioApp(baseUrl: string, call: Call): Promise<GradioApp> {
  const config = await getJson(joinUrl(baseUrl, '/config'), call);
  if (!isRecord(config) || !('version' in config || 'components' in config)) {
    throw new Error(`GET ${joinUrl(baseUrl, '/config')}: not a Gradio config`);
  }
  const prefix = typeof config['api_prefix'] === 'string' ? config['api_prefix'].replace(/\/+$/, '') : '';
  const version = typeof config['version'] === 'string' ? config['version'] : '?';
  return { version, prefix, apiBase: joinUrl(baseUrl, prefix) };
}

/** GET {p}/info and pick the transcription endpoint; an error names what was found instead. */
export async function findTranscriptionEndpoint(app: GradioApp, call: Call): Promise<EndpointShape> {
  const infoUrl = `${app.apiBase}/info`;
  const info = await getJson(infoUrl, call);
  const picked = pickEndpoint(info);
  if (picked) return picked;
  const named = isRecord(info) && isRecord(info['named_endpoints']) ? Object.keys(info['named_endpoints']) : [];
  throw new Error(`GET ${infoUrl}: no public named endpoint takes Audio and returns a Textbox (found: ${named.join(', ') || 'none'})`);
}
