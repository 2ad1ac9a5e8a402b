import { describe, expect, it } from 'vitest';
import { cer, compareTranscript, diffSegments, normalizeTranscript } from '../src/transcribe/compare.js';

describe('normalizeTranscript', () => {
  it('maps traditional to simplified, drops punctuation and spaces, lowercases', () => {
    expect(normalizeTranscript('歡迎使用 Whisper 服务。')).toBe('欢迎使用whisper服务');
  });

  it('folds full-width forms (NFKC) and strips full-width punctuation', () => {
    expect(normalizeTranscript('ＷＨＩＳＰＥＲ，你好！（测试）')).toBe('whisper你好测试');
  });

  it('drops symbols and marks left after NFKC composition', () => {
    expect(normalizeTranscript('Cafe\u0301 ♪ ~ 1+1')).toBe('café11');
    expect(normalizeTranscript('x\u0301\u20dd')).toBe('x');
  });
});

describe('cer', () => {
  it('counts substitutions, deletions and insertions against the reference length', () => {
    expect(cer('abcd', 'abcd')).toBe(0);
    expect(cer('abcd', 'abxd')).toBe(0.25);
    expect(cer('abcd', 'abd')).toBe(0.25);
    expect(cer('abcd', 'abcde')).toBe(0.25);
    expect(cer('abcd', '')).toBe(1);
    expect(cer('kitten', 'sitting')).toBe(3 / 6);
    expect(cer('欢迎使用', '欢迎试用')).toBe(0.25);
  });

  it('handles an empty reference', () => {
    expect(cer('', '')).toBe(0);
    expect(cer('', 'x')).toBe(1);
  });

  it('counts astral-plane code points once, not as two UTF-16 units', () => {
    expect('𠀀'.length).toBe(2);
    expect(cer('a𠀀b', 'a𠀁b')).toBeCloseTo(1 / 3, 12);
    expect(cer('𠀀𠀁', '𠀀')).toBe(0.5);
  });
});

describe('compareTranscript', () => {
  it('passes a mixed traditional/simplified transcript with punctuation and spaces', () => {
    const result = compareTranscript('歡迎使用 Whisper 服务。', { contains: '欢迎使用Whisper服务' });
    expect(result).toMatchObject({
      passed: true,
      normalizedExpected: '欢迎使用whisper服务',
      normalizedActual: '欢迎使用whisper服务',
      cer: 0,
      reason: 'contains 欢迎使用whisper服务',
    });
  });

  it('passes when the expected text is inside a longer transcript', () => {
    const result = compareTranscript('大家好，歡迎使用Whisper服務，謝謝。', { contains: '欢迎使用Whisper服务' });
    expect(result.passed).toBe(true);
    expect(result.reason).toBe('contains 欢迎使用whisper服务');
  });

  it('falls back to CER within maxCER', () => {
    const result = compareTranscript('欢迎试用Whisper服务', { contains: '欢迎使用Whisper服务', maxCER: 0.1 });
    expect(result.cer).toBeCloseTo(1 / 13, 12);
    expect(result.passed).toBe(true);
    expect(result.reason).toBe('CER 0.08 ≤ 0.10');
  });

  it('fails when CER exceeds maxCER', () => {
    const result = compareTranscript('欢迎试用Whisky服务', { contains: '欢迎使用Whisper服务', maxCER: 0.1 });
    expect(result.cer).toBeCloseTo(4 / 13, 12);
    expect(result.passed).toBe(false);
    expect(result.reason).toBe('CER 0.31 > 0.10');
  });

  it('passes exactly at the bound', () => {
    expect(compareTranscript('abcdefghiX', { contains: 'abcdefghij', maxCER: 0.1 }).passed).toBe(true);
  });

  it('fails without maxCER when the text is not contained', () => {
    const result = compareTranscript('你好', { contains: '欢迎' });
    expect(result.passed).toBe(false);
    expect(result.reason).toBe('does not contain 欢迎 (got "你好", CER 1.00)');
  });

  it('refuses an expected text that normalizes to nothing', () => {
    const result = compareTranscript('anything', { contains: '。！' });
    expect(result.passed).toBe(false);
    expect(result.cer).toBeNull();
  });

  it('silence control passes on nothing and fails on the Amara.org hallucination', () => {
    expect(compareTranscript('', { empty: true })).toMatchObject({ passed: true, cer: null });
    expect(compareTranscript(' 。', { empty: true }).passed).toBe(true);
    const hallucination = compareTranscript('字幕由Amara.org社群提供', { empty: true });
    expect(hallucination.passed).toBe(false);
    expect(hallucination.normalizedActual).toBe('字幕由amaraorg社群提供');
    expect(hallucination.reason).toBe('silence transcribed to "字幕由Amara.org社群提供"');
  });

  it('silence allows one code point (a breath transcribed as 嗯), not two; a pass says so', () => {
    expect(compareTranscript('嗯', { empty: true })).toMatchObject({ passed: true, reason: 'silence transcribed to nothing', normalizedExpected: '' });
    expect(compareTranscript('嗯嗯', { empty: true })).toMatchObject({ passed: false, reason: 'silence transcribed to "嗯嗯"' });
  });

  it('quotes what came in one line, whitespace collapsed, cut at 60 code points with an ellipsis', () => {
    const long = `${'字'.repeat(30)}\n\n  ${'幕'.repeat(40)}`;
    expect(compareTranscript(long, { empty: true }).reason).toBe(`silence transcribed to "${'字'.repeat(30)} ${'幕'.repeat(29)}…"`);
    expect(compareTranscript('  a  b  ', { empty: true }).reason).toBe('silence transcribed to "a b"');
    const sixty = '音'.repeat(60);
    expect(compareTranscript(sixty, { contains: '欢迎' }).reason).toBe(`does not contain 欢迎 (got "${sixty}", CER 30.00)`);
  });

  it('says the CER and the bound either way, to two places', () => {
    expect(compareTranscript('欢迎使用Whisper服務', { contains: '欢迎使用Whisper服务器', maxCER: 0.5 }).reason).toBe('CER 0.07 ≤ 0.50');
    expect(compareTranscript('别的', { contains: '欢迎使用', maxCER: 0.25 })).toMatchObject({ passed: false, reason: 'CER 1.00 > 0.25', cer: 1 });
    expect(compareTranscript('欢迎使用服务', { contains: '使用' })).toMatchObject({ passed: true, reason: 'contains 使用', cer: 2 });
  });
});

describe('diffSegments', () => {
  it('marks missing and extra code points', () => {
    expect(diffSegments('欢迎使用whisper服务', '欢迎试用whisky服务')).toEqual([
      { op: 'same', text: '欢迎' },
      { op: 'missing', text: '使' },
      { op: 'extra', text: '试' },
      { op: 'same', text: '用whis' },
      { op: 'missing', text: 'per' },
      { op: 'extra', text: 'ky' },
      { op: 'same', text: '服务' },
    ]);
  });

  it('handles pure insertion, deletion, equality and empty sides', () => {
    expect(diffSegments('abc', 'abc')).toEqual([{ op: 'same', text: 'abc' }]);
    expect(diffSegments('abc', 'aXbc')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'extra', text: 'X' },
      { op: 'same', text: 'bc' },
    ]);
    expect(diffSegments('abc', 'ac')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'missing', text: 'b' },
      { op: 'same', text: 'c' },
    ]);
    expect(diffSegments('', 'x')).toEqual([{ op: 'extra', text: 'x' }]);
    expect(diffSegments('x', '')).toEqual([{ op: 'missing', text: 'x' }]);
    expect(diffSegments('', '')).toEqual([]);
  });

  it('keeps astral code points whole', () => {
    expect(diffSegments('a𠀀b', 'a𠀁b')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'missing', text: '𠀀' },
      { op: 'extra', text: '𠀁' },
      { op: 'same', text: 'b' },
    ]);
  });

  it('rebuilds both sides from the segments', () => {
    const expected = '今天天气很好我们去公园';
    const actual = '今天天汽很好，我门去了公园';
    const segments = diffSegments(expected, actual);
    expect(segments.filter((s) => s.op !== 'extra').map((s) => s.text).join('')).toBe(expected);
    expect(segments.filter((s) => s.op !== 'missing').map((s) => s.text).join('')).toBe(actual);
  });
});
