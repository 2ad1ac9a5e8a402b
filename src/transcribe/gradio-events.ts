/** The server-sent events of a Gradio call (`GET {p}/call/<api>/<event_id>`), and what an error event says. */
import type { Response } from '../adapters/http-fetch.js';
import { isRecord } from './types.js';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Read server-sent events until `complete` or `error`; undefined when the stream ends first. */
export async function finalEvent(response: Response): Promise<SseEvent | undefined> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value as Uint8Array, { stream: true });
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

export function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

const HIDDEN = 'the app raised an error (Gradio before 6.13 sends no message; since 6.13 only with show_error=True or gr.Error)';

/**
 * An `error` event's data: `null` before Gradio 6.13 (the message hidden), a string for an
 * unexpected server error, and since 6.13 the error payload `{"error": "...", "visible", "title"?}`
 * — whose `error` is null when the app hides it.
 */
export function errorEventMessage(payload: unknown): string {
  if (payload === null || payload === undefined || payload === '') return HIDDEN;
  if (typeof payload === 'string') return payload;
  if (isRecord(payload)) {
    const { error, title } = payload;
    if (error === null || error === undefined) return HIDDEN;
    const message = typeof error === 'string' ? error : JSON.stringify(error);
    return typeof title === 'string' && title && title !== 'Error' ? `${title}: ${message}` : message;
  }
  return JSON.stringify(payload);
}
