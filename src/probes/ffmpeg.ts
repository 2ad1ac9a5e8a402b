/** FFmpeg on PATH: Whisper shells out to the `ffmpeg` binary to decode every clip. */
import { commonFailure, runProbe, unanswered } from './common.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export type CodecKind = 'audio' | 'video' | 'subtitle' | 'data' | 'attachment';

export interface Decoder {
  readonly kind: CodecKind;
  readonly name: string;
  readonly description: string;
}

export interface FfmpegFacts {
  /** Numeric version ("5.1.9"), or the raw token for builds without one (e.g. "N-113348-g0a5813fc68"). */
  readonly version: string;
  /** The full token, e.g. "5.1.9-0+deb12u1". */
  readonly rawVersion: string;
  readonly decoders: readonly Decoder[];
}

const KINDS: Record<string, CodecKind> = { V: 'video', A: 'audio', S: 'subtitle', D: 'data', T: 'attachment' };

/** First line of `ffmpeg -version`: "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." */
export function parseFfmpegVersion(output: string): { version: string; rawVersion: string } | undefined {
  const raw = /^ffmpeg version (\S+)/m.exec(output)?.[1];
  if (!raw) return undefined;
  return { version: /^n?(\d+(?:\.\d+)*)/.exec(raw)?.[1] ?? raw, rawVersion: raw };
}

/** `ffmpeg -decoders`: skip the flag legend up to the "------" line, then " A....D name  description". */
export function parseDecoders(output: string): Decoder[] {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((line) => /^\s*-{3,}\s*$/.test(line));
  return lines.slice(start + 1).flatMap((line) => {
    const match = /^\s*([VASDT.])[A-Z.]{5}\s+(\S+)\s*(.*)$/.exec(line);
    const kind = match?.[1] ? KINDS[match[1]] : undefined;
    return match?.[2] && kind ? [{ kind, name: match[2], description: (match[3] ?? '').trim() }] : [];
  });
}

/** Requested decoders the build lacks. */
export function missingDecoders(decoders: readonly Decoder[], wanted: readonly string[]): string[] {
  const have = new Set(decoders.map((decoder) => decoder.name));
  return wanted.filter((name) => !have.has(name));
}

/**
 * One run of `ffmpeg -decoders` answers both questions: without `-hide_banner` it prints its banner
 * ("ffmpeg version …") to stderr before the list. Each ffmpeg run costs ~50 ms of CPU here (it loads a
 * few dozen libraries), and every environment check asks. A build whose banner says no version is
 * asked `-version` as well.
 */
export async function probeFfmpeg(options: ProbeOptions & { command?: string } = {}): Promise<ProbeResult<FfmpegFacts>> {
  const command = options.command ?? 'ffmpeg';
  const decodersRun = await runProbe(command, ['-decoders'], options);
  const failure = commonFailure(decodersRun, 'ffmpeg');
  if (failure) return failure;
  let version = parseFfmpegVersion(decodersRun.stderr);
  if (!version) {
    const versionRun = await runProbe(command, ['-hide_banner', '-version'], options);
    const versionFailure = commonFailure(versionRun, 'ffmpeg');
    if (versionFailure) return versionFailure;
    version = parseFfmpegVersion(versionRun.stdout);
    if (!version) return unanswered(`\`${versionRun.command}\` printed no "ffmpeg version" line`);
  }
  return { ok: true, ...version, decoders: parseDecoders(decodersRun.stdout) };
}
