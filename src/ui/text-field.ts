/**
 * A one-line text field edited by the keys operators use in a shell (readline's): every key of a chunk
 * counts — a URL pasted with its Enter, a held Backspace, arrive in one read — and Ctrl-U, Ctrl-W,
 * Ctrl-K, Ctrl-A/E, Home/End, Delete and the arrows do what they do at a prompt. Pure: tested without a screen.
 */

export interface TextField {
  readonly value: string;
  /** In characters (code points), 0..length. */
  readonly cursor: number;
}

type NamedKey = 'enter' | 'escape' | 'interrupt' | 'backspace' | 'delete' | 'kill-before' | 'kill-after' | 'kill-word' | 'home' | 'end' | 'left' | 'right' | 'tab' | 'other';

export type FieldKey = { readonly kind: 'text'; readonly text: string } | { readonly kind: NamedKey };

const SEQUENCES: Readonly<Record<string, NamedKey>> = {
  '\r': 'enter',
  '\n': 'enter',
  '\u001b': 'escape',
  '\u0003': 'interrupt',
  '\u007f': 'backspace',
  '\b': 'backspace',
  '\u001b[3~': 'delete',
  '\u0004': 'delete',
  '\u0015': 'kill-before',
  '\u000b': 'kill-after',
  '\u0017': 'kill-word',
  '\u001b\u007f': 'kill-word',
  '\u0001': 'home',
  '\u001b[H': 'home',
  '\u001bOH': 'home',
  '\u001b[1~': 'home',
  '\u001b[7~': 'home',
  '\u0005': 'end',
  '\u001b[F': 'end',
  '\u001bOF': 'end',
  '\u001b[4~': 'end',
  '\u001b[8~': 'end',
  '\u0002': 'left',
  '\u001b[D': 'left',
  '\u001bOD': 'left',
  '\u0006': 'right',
  '\u001b[C': 'right',
  '\u001bOC': 'right',
  '\t': 'tab',
};

/**
 * The keys in one read of the terminal: escape sequences whole (the terminal's parser already cut the
 * chunk at each), every control character on its own, printable runs as text.
 */
export function fieldKeys(chunk: string): FieldKey[] {
  if (chunk.startsWith('\u001b') && chunk.length > 1) return [{ kind: SEQUENCES[chunk] ?? 'other' }];
  const keys: FieldKey[] = [];
  let text = '';
  for (const char of chunk) {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(char)) {
      if (text) keys.push({ kind: 'text', text });
      text = '';
      keys.push({ kind: SEQUENCES[char] ?? 'other' });
    } else text += char;
  }
  if (text) keys.push({ kind: 'text', text });
  return keys;
}

export function fieldOf(value: string): TextField {
  return { value, cursor: Array.from(value).length };
}

/** One key's edit; `enter`, `escape`, `interrupt`, `tab` and `other` leave the field as it is. */
export function editField(field: TextField, key: FieldKey): TextField {
  const chars = Array.from(field.value);
  const at = Math.max(0, Math.min(field.cursor, chars.length));
  const make = (before: string[], after: string[]): TextField => ({ value: [...before, ...after].join(''), cursor: before.length });
  switch (key.kind) {
    case 'text':
      return make([...chars.slice(0, at), ...Array.from(key.text)], chars.slice(at));
    case 'backspace':
      return at === 0 ? field : make(chars.slice(0, at - 1), chars.slice(at));
    case 'delete':
      return make(chars.slice(0, at), chars.slice(at + 1));
    case 'kill-before':
      return make([], chars.slice(at));
    case 'kill-after':
      return make(chars.slice(0, at), []);
    case 'kill-word': {
      // readline's unix-word-rubout: the blanks before the cursor, then the word before them.
      let start = at;
      while (start > 0 && /\s/.test(chars[start - 1]!)) start -= 1;
      while (start > 0 && !/\s/.test(chars[start - 1]!)) start -= 1;
      return make(chars.slice(0, start), chars.slice(at));
    }
    case 'home':
      return { ...field, cursor: 0 };
    case 'end':
      return { ...field, cursor: chars.length };
    case 'left':
      return { ...field, cursor: Math.max(0, at - 1) };
    case 'right':
      return { ...field, cursor: Math.min(chars.length, at + 1) };
    default:
      return field;
  }
}

/** The text before the cursor, the character under it (a space at the end), and the rest: for drawing. */
export function fieldParts(field: TextField): { readonly before: string; readonly under: string; readonly after: string } {
  const chars = Array.from(field.value);
  const at = Math.max(0, Math.min(field.cursor, chars.length));
  return { before: chars.slice(0, at).join(''), under: chars[at] ?? ' ', after: chars.slice(at + 1).join('') };
}
