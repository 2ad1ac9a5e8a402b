/**
 * Honest transcript comparison for Whisper output: its zh text mixes traditional and simplified
 * characters, drops or widens punctuation and puts spaces around Latin words, so a plain
 * substring test fails on correct transcripts. Lengths are counted in code points, not UTF-16 units.
 */
import { Converter } from 'opencc-js/t2cn';
import { editDistance } from '../model/edit-distance.js';

let toSimplified: ((text: string) => string) | undefined;

/** NFKC → traditional→simplified → lowercase → drop punctuation, symbols, marks and whitespace. */
export function normalizeTranscript(text: string): string {
  const convert = (toSimplified ??= Converter({ from: 't', to: 'cn' }));
  return convert(text.normalize('NFKC')).toLowerCase().replace(/[\p{P}\p{S}\p{M}\s]/gu, '');
}

/** Character error rate (S+D+I)/N over the reference's code points. */
export function cer(reference: string, hypothesis: string): number {
  const length = Array.from(reference).length;
  if (length === 0) return hypothesis.length === 0 ? 0 : 1;
  return editDistance(reference, hypothesis) / length;
}

export interface ExpectedTranscript {
  readonly contains?: string;
  readonly maxCER?: number;
  /** Silence control: the transcript must be (nearly) empty. */
  readonly empty?: boolean;
}

export interface TranscriptComparison {
  readonly passed: boolean;
  readonly normalizedExpected: string;
  readonly normalizedActual: string;
  /** CER of the normalized expected text against the normalized transcript; null for a silence control. */
  readonly cer: number | null;
  /** One line for a human. */
  readonly reason: string;
}

const EPSILON = 1e-9;

function quote(text: string, max = 60): string {
  const chars = Array.from(text.trim().replace(/\s+/g, ' '));
  return `"${chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')}"`;
}

/**
 * `empty: true` checks silence only (≤ 1 code point after normalization). Otherwise the transcript
 * passes when it contains the expected text (both normalized), or when its CER is within `maxCER`.
 */
export function compareTranscript(actual: string, expect: ExpectedTranscript): TranscriptComparison {
  const normalizedActual = normalizeTranscript(actual);
  if (expect.empty === true) {
    const passed = Array.from(normalizedActual).length <= 1;
    const reason = passed ? 'silence transcribed to nothing' : `silence transcribed to ${quote(actual)}`;
    return { passed, normalizedExpected: '', normalizedActual, cer: null, reason };
  }
  const normalizedExpected = normalizeTranscript(expect.contains ?? '');
  const base = { normalizedExpected, normalizedActual };
  if (normalizedExpected.length === 0) {
    return { ...base, passed: false, cer: null, reason: 'no expected text to compare with (empty after normalization)' };
  }
  const rate = cer(normalizedExpected, normalizedActual);
  if (normalizedActual.includes(normalizedExpected)) {
    return { ...base, passed: true, cer: rate, reason: `contains ${normalizedExpected}` };
  }
  const shown = rate.toFixed(2);
  if (expect.maxCER === undefined) {
    return { ...base, passed: false, cer: rate, reason: `does not contain ${normalizedExpected} (got ${quote(normalizedActual)}, CER ${shown})` };
  }
  const limit = expect.maxCER.toFixed(2);
  const passed = rate <= expect.maxCER + EPSILON;
  return { ...base, passed, cer: rate, reason: passed ? `CER ${shown} ≤ ${limit}` : `CER ${shown} > ${limit}` };
}

export interface DiffSegment {
  readonly op: 'same' | 'missing' | 'extra';
  readonly text: string;
}

/** Above this many cells the middle is shown as one replaced block instead of an exact alignment. */
const MAX_CELLS = 4_000_000;

/**
 * Code-point diff of expected vs actual from the Levenshtein backtrace: `missing` is in expected
 * only, `extra` in actual only. Each changed run is reported as missing-then-extra.
 */
export function diffSegments(expected: string, actual: string): DiffSegment[] {
  const a = Array.from(expected);
  const b = Array.from(actual);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const ops: Array<[DiffSegment['op'], string]> = a.slice(0, prefix).map((c) => ['same', c]);
  if ((midA.length + 1) * (midB.length + 1) > MAX_CELLS) {
    ops.push(...midA.map((c): [DiffSegment['op'], string] => ['missing', c]));
    ops.push(...midB.map((c): [DiffSegment['op'], string] => ['extra', c]));
  } else {
    ops.push(...align(midA, midB));
  }
  ops.push(...a.slice(a.length - suffix).map((c): [DiffSegment['op'], string] => ['same', c]));
  return group(ops);
}

function align(a: string[], b: string[]): Array<[DiffSegment['op'], string]> {
  const width = b.length + 1;
  const d = new Uint32Array((a.length + 1) * width);
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[i * width] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = d[(i - 1) * width + j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      d[i * width + j] = Math.min(sub, d[(i - 1) * width + j]! + 1, d[i * width + j - 1]! + 1);
    }
  }
  const out: Array<[DiffSegment['op'], string]> = [];
  let i = a.length;
  let j = b.length;
  while (i > 0 || j > 0) {
    const here = d[i * width + j]!;
    if (i > 0 && j > 0 && a[i - 1] === b[j - 1] && here === d[(i - 1) * width + j - 1]) {
      out.push(['same', a[--i]!]);
      j--;
    } else if (i > 0 && j > 0 && here === d[(i - 1) * width + j - 1]! + 1) {
      out.push(['extra', b[--j]!], ['missing', a[--i]!]);
    } else if (i > 0 && here === d[(i - 1) * width + j]! + 1) {
      out.push(['missing', a[--i]!]);
    } else {
      out.push(['extra', b[--j]!]);
    }
  }
  return out.reverse();
}

/** Merge adjacent operations; within a changed run, all missing text first, then all extra text. */
function group(ops: Array<[DiffSegment['op'], string]>): DiffSegment[] {
  const segments: DiffSegment[] = [];
  let missing = '';
  let extra = '';
  const flushChange = () => {
    if (missing) segments.push({ op: 'missing', text: missing });
    if (extra) segments.push({ op: 'extra', text: extra });
    missing = extra = '';
  };
  for (const [op, text] of ops) {
    if (op === 'missing') missing += text;
    else if (op === 'extra') extra += text;
    else {
      flushChange();
      const last = segments.at(-1);
      if (last?.op === 'same') segments[segments.length - 1] = { op: 'same', text: last.text + text };
      else segments.push({ op: 'same', text });
    }
  }
  flushChange();
  return segments;
}
