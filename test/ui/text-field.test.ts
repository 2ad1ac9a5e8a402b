/** The text field's keys: every key of a burst counts, and readline's editing keys work. */
import { describe, expect, it } from 'vitest';
import { editField, fieldKeys, fieldOf, fieldParts, type TextField } from '../../src/ui/text-field.js';

/** Types `chunk` (one read of the terminal) into `field`; says whether an Enter came. */
function type(field: TextField, ...chunks: string[]): { field: TextField; entered: boolean } {
  let entered = false;
  for (const chunk of chunks) {
    for (const key of fieldKeys(chunk)) {
      if (key.kind === 'enter') entered = true;
      else field = editField(field, key);
    }
  }
  return { field, entered };
}

describe('a text field', () => {
  it('takes a URL pasted with its Enter in one read: all of it, and the Enter', () => {
    const { field, entered } = type(fieldOf(''), 'http://127.0.0.1:17860\r');
    expect(field.value).toBe('http://127.0.0.1:17860');
    expect(entered).toBe(true);
  });

  it('deletes as many characters as a held Backspace sent, in one read', () => {
    expect(type(fieldOf('http://127.0.0.1:7860'), '\u007f'.repeat(4)).field.value).toBe('http://127.0.0.1:');
    expect(type(fieldOf('ab'), '\u007f'.repeat(5)).field.value).toBe('');
  });

  it('clears to the start with Ctrl-U and to the end with Ctrl-K; Ctrl-W deletes the word before the cursor', () => {
    expect(type(fieldOf('http://old'), '\u0015').field).toEqual({ value: '', cursor: 0 });
    expect(type(fieldOf('python app.py --port 7860'), '\u0017').field.value).toBe('python app.py --port ');
    expect(type(fieldOf('python app.py --port 7860  '), '\u0017').field.value).toBe('python app.py --port ');
    expect(type(fieldOf('abc def'), '\u0001', '\u001b[C', '\u000b').field.value).toBe('a');
  });

  it('moves with Ctrl-A/E, Home/End (each terminal\'s sequences) and the arrows; types and deletes at the cursor', () => {
    expect(type(fieldOf('7860'), '\u0001', '1').field).toEqual({ value: '17860', cursor: 1 });
    expect(type(fieldOf('7860'), '\u001b[H', '1', '\u001b[F', '0').field.value).toBe('178600');
    expect(type(fieldOf('7860'), '\u001bOH', '\u001b[3~').field.value).toBe('860');
    expect(type(fieldOf('7860'), '\u001b[1~', '\u001b[C', '\u007f', '\u001b[4~', 'x').field.value).toBe('860x');
    expect(type(fieldOf('ab'), '\u001b[D', '\u001b[D', '\u001b[D', 'x', '\u001b[C', '\u001b[C', '\u001b[C', 'y').field.value).toBe('xaby');
  });

  it('keeps characters outside the BMP whole, ignores keys it has no use for, and draws the cursor', () => {
    expect(type(fieldOf('音声🎙'), '\u007f').field.value).toBe('音声');
    expect(type(fieldOf('ab'), '\u001b[15~', '\u0007', '\t').field.value).toBe('ab');
    expect(fieldParts({ value: 'abc', cursor: 1 })).toEqual({ before: 'a', under: 'b', after: 'c' });
    expect(fieldParts(fieldOf('abc'))).toEqual({ before: 'abc', under: ' ', after: '' });
  });

  it('reads a read into keys: control characters alone, printable runs together, a sequence whole', () => {
    expect(fieldKeys('ab\u007f\u007fcd\r')).toEqual([{ kind: 'text', text: 'ab' }, { kind: 'backspace' }, { kind: 'backspace' }, { kind: 'text', text: 'cd' }, { kind: 'enter' }]);
    expect(fieldKeys('\u001b[3~')).toEqual([{ kind: 'delete' }]);
    expect(fieldKeys('\u0003')).toEqual([{ kind: 'interrupt' }]);
  });
});
