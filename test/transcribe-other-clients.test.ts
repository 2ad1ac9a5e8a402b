/**
 * The whisper.cpp and whisper-asr-webservice clients against small HTTP servers that answer as those
 * projects' servers do (routes, field names and quirks from their sources: whisper.cpp's `language`
 * defaults to "en"; asr-webservice labels its JSON text/plain).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { transcribeAsrWebservice } from '../src/transcribe/asr-webservice.js';
import { transcribeWhisperCpp } from '../src/transcribe/whisper-cpp.js';
import { transcriberFor } from '../src/transcribe/registry.js';
import { repoRoot } from './helpers/cli.js';

const audio = path.join(repoRoot, 'fixtures', 'sample-backup', 'example', 'test_cn.wav');

interface Seen {
  method?: string;
  url?: string;
  body: string;
}

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(answer: (seen: Seen, res: http.ServerResponse) => void): Promise<{ base: string; seen: Seen }> {
  const seen: Seen = { body: '' };
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.method = req.method;
      seen.url = req.url;
      seen.body = Buffer.concat(chunks).toString('latin1');
      answer(seen, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

describe('whisper.cpp server client', () => {
  it('posts the file to /inference with the language (never its "en" default) and reads the text', async () => {
    const { base, seen } = await serve((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: ' 欢迎使用Whisper服务\n' }));
    });
    const result = await transcribeWhisperCpp({ baseUrl: base, audioPath: audio, language: 'zh' });
    expect(seen).toMatchObject({ method: 'POST', url: '/inference' });
    expect(seen.body).toContain('name="file"; filename="test_cn.wav"');
    expect(seen.body).toMatch(/name="language"\r\n\r\nzh\r\n/);
    expect(seen.body).toMatch(/name="response_format"\r\n\r\njson\r\n/);
    expect(result.text).toBe(' 欢迎使用Whisper服务\n');
    expect(result.via).toBe('whisper.cpp /inference');
  });

  it('names the URL and the status when the model is still loading (503)', async () => {
    const { base } = await serve((_seen, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"Loading model"}');
    });
    await expect(transcribeWhisperCpp({ baseUrl: base, audioPath: audio, language: 'zh' })).rejects.toThrow(`POST ${base}/inference → 503`);
  });
});

describe('whisper-asr-webservice client', () => {
  it('posts audio_file to /asr with task, language and output in the query, and parses JSON labelled text/plain', async () => {
    const { base, seen } = await serve((_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(JSON.stringify({ text: '欢迎使用Whisper服务', segments: [], language: 'zh' }));
    });
    const result = await transcribeAsrWebservice({ baseUrl: base, audioPath: audio, language: 'zh' });
    const url = new URL(seen.url!, base);
    expect(url.pathname).toBe('/asr');
    expect(Object.fromEntries(url.searchParams)).toEqual({ task: 'transcribe', output: 'json', language: 'zh' });
    expect(seen.body).toContain('name="audio_file"; filename="test_cn.wav"');
    expect(result.text).toBe('欢迎使用Whisper服务');
  });

  it('says what came back when the answer has no text', async () => {
    const { base } = await serve((_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('{"detail":"nothing"}');
    });
    await expect(transcribeAsrWebservice({ baseUrl: base, audioPath: audio })).rejects.toThrow(/no "text" string in \{"detail":"nothing"\}/);
  });
});

describe('api: command', () => {
  const assertion = (command: string) =>
    ({ kind: 'transcription', name: 'cli', api: 'command', audio: 'x.wav', expect: { contains: 'x' }, command, required: true }) as const;

  it('runs the plan\'s command with the audio path in $AUDIO (never spliced into the line) and takes stdout', async () => {
    const tricky = path.join(repoRoot, "it's; rm -rf nothing.wav");
    const result = await transcriberFor(assertion('printf "%s|%s" "$AUDIO" "$LANGUAGE"'))({ baseUrl: '', audioPath: tricky, language: 'zh', cwd: repoRoot });
    expect(result.text).toBe(`${tricky}|zh`);
  });

  it('fails naming the command and its exit code', async () => {
    await expect(transcriberFor(assertion('echo no model >&2; exit 4'))({ baseUrl: '', audioPath: audio, cwd: repoRoot })).rejects.toThrow(
      /`echo no model >&2; exit 4` exited with 4: no model/,
    );
  });
});
