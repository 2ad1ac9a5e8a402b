/** probe URL: which API a running service speaks, its version and endpoint — the detection `init` uses. */
import { usageError } from '../model/errors.js';
import { isHttpUrl } from '../plan/rules.js';
import { describeDetection } from '../init/next-steps.js';
import { detectService, type ServiceDetection } from '../service/detect.js';
import { apiKeyFrom } from './api-key.js';
import type { CliArgs } from './args.js';

export async function probeCommand(args: CliArgs, signal: AbortSignal): Promise<number> {
  const url = args.url ?? '';
  if (!isHttpUrl(url)) throw usageError(`probe: ${url} is not an http(s) URL`);
  const apiKey = apiKeyFrom(args.apiKeyEnv, '--api-key-env');
  let found: ServiceDetection;
  try {
    found = await detectService(url, { ...(apiKey ? { apiKey } : {}), signal });
  } catch (error) {
    const message = (error as Error).message;
    if (args.json) process.stdout.write(`${JSON.stringify({ url, detected: false, error: message })}\n`);
    process.stderr.write(`whisper-drill: ${message}\n`);
    return 1;
  }
  process.stdout.write(args.json ? `${JSON.stringify({ ...found, detected: true })}\n` : `${describeDetection(found).join('\n')}\n`);
  return 0;
}
