/** Which client speaks to the service, by the assertion's `api`. */
import { describeFailure, runShell } from '../adapters/run.js';
import type { TranscriptionAssertion } from '../plan/types.js';
import { transcribeAsrWebservice } from './asr-webservice.js';
import { transcribeGradio } from './gradio.js';
import { transcribeOpenAi } from './openai.js';
import type { TranscribeRequest, TranscribeResult } from './types.js';
import { transcribeWhisperCpp } from './whisper-cpp.js';

export interface AssertionRequest extends TranscribeRequest {
  /** Where `api: command` runs (the restored tree). */
  readonly cwd: string;
  /** `api: command` runs isolated as the service does (scratch HOME and caches, hubs offline). */
  readonly env?: Readonly<Record<string, string>>;
}

/** api: command — the plan's command line; the audio path is passed in $AUDIO, never spliced into the line. */
async function transcribeWithCommand(command: string | undefined, request: AssertionRequest): Promise<TranscribeResult> {
  if (!command) throw new Error('api: command needs a `command` in the assertion');
  const result = await runShell(command, {
    cwd: request.cwd,
    env: { ...request.env, AUDIO: request.audioPath, LANGUAGE: request.language ?? '' },
    signal: request.signal,
    timeoutMs: 300_000,
  });
  if (result.exitCode !== 0) throw new Error(describeFailure(result));
  return { text: result.stdout.trim(), latencyMs: result.durationMs, via: `command \`${command}\`` };
}

export function transcriberFor(assertion: TranscriptionAssertion): (request: AssertionRequest) => Promise<TranscribeResult> {
  switch (assertion.api) {
    case 'gradio':
      return transcribeGradio;
    case 'openai':
      return transcribeOpenAi;
    case 'whisper-cpp':
      return transcribeWhisperCpp;
    case 'asr-webservice':
      return transcribeAsrWebservice;
    case 'command':
      return (request) => transcribeWithCommand(assertion.command, request);
  }
}
