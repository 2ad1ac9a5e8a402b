/** Which Gradio endpoint transcribes, and what an error event says, across Gradio 4, 5 and 6 (shapes from gradio's sources). */
import { describe, expect, it } from 'vitest';
import { pickEndpoint } from '../../src/transcribe/gradio-app.js';
import { errorEventMessage } from '../../src/transcribe/gradio-events.js';
import { serverMessage } from '../../src/transcribe/types.js';

const audio = { label: 'audio', parameter_name: 'audio', parameter_has_default: false, parameter_default: null, component: 'Audio' };
const textbox = { label: 'output', component: 'Textbox' };
const endpoint = (extra: Record<string, unknown>) => ({ parameters: [audio], returns: [textbox], ...extra });

describe('pickEndpoint', () => {
  it('takes the public Audio → Textbox endpoint, whatever its name (Gradio 6 names it after the function)', () => {
    const info = {
      named_endpoints: {
        '/reset': { parameters: [], returns: [textbox], api_visibility: 'public' },
        '/transcribe_debug': endpoint({ api_visibility: 'undocumented' }),
        '/transcribe': endpoint({ api_visibility: 'public' }),
      },
    };
    expect(pickEndpoint(info)?.name).toBe('/transcribe');
  });

  it('skips what Gradio 4/5 mark show_api: false, and what Gradio 6 marks private', () => {
    expect(pickEndpoint({ named_endpoints: { '/hidden': endpoint({ show_api: false }), '/predict': endpoint({ show_api: true }) } })?.name).toBe('/predict');
    expect(pickEndpoint({ named_endpoints: { '/private': endpoint({ api_visibility: 'private' }) } })).toBeUndefined();
  });

  it('finds a language parameter and keeps the defaults of the others', () => {
    const language = { label: 'language', parameter_name: 'language', parameter_has_default: true, parameter_default: 'auto', component: 'Dropdown' };
    const picked = pickEndpoint({ named_endpoints: { '/transcribe': { parameters: [audio, language], returns: [textbox] } } });
    expect(picked).toMatchObject({ audioIndex: 0, languageIndex: 1, inputs: [null, 'auto'], outputIndex: 0 });
  });
});

describe('errorEventMessage', () => {
  it("shows the server's message from a 6.13+ payload, a bare string, or says it was hidden", () => {
    expect(errorEventMessage({ error: 'Failed to load audio', duration: 10, visible: true, title: 'Error' })).toBe('Failed to load audio');
    expect(errorEventMessage({ error: 'no GPU', title: 'Model not loaded' })).toBe('Model not loaded: no GPU');
    expect(errorEventMessage('Connection to the queue lost')).toBe('Connection to the queue lost');
    expect(errorEventMessage(null)).toMatch(/^the app raised an error \(Gradio before 6\.13 sends no message/);
    expect(errorEventMessage({ error: null })).toMatch(/^the app raised an error/);
  });
});

describe('serverMessage', () => {
  it('reads the message of each dialect of error body', () => {
    expect(serverMessage('{"detail":"Invalid API key. The provided API key is incorrect."}')).toBe('Invalid API key. The provided API key is incorrect.');
    expect(serverMessage('{"error":"FFmpeg conversion failed."}')).toBe('FFmpeg conversion failed.');
    expect(serverMessage('{"error":{"message":"model not found","type":"invalid_request_error","code":404}}')).toBe('model not found');
    expect(serverMessage('{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError"}')).toBe('The model `x` does not exist.');
    expect(serverMessage('{"detail":[{"type":"missing","loc":["body","file"],"msg":"Field required"}]}')).toBe('["body","file"]: Field required');
    expect(serverMessage('File Not Found (/nope)')).toBe('File Not Found (/nope)');
  });
});
