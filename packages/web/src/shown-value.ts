import { WS_CHARS } from '@tidyvault/core';

/** A piece of a value as listed: plain text, or whitespace a reader would not see (shown as a mark). */
export type ValuePart = { text: string } | { ws: string; mark: string; name: string };

const NAMES: Record<string, [mark: string, name: string]> = {
  ' ': ['␣', 'space'],
  '\t': ['→', 'tab'],
  '\n': ['↵', 'line feed'],
  '\r': ['␍', 'carriage return'],
  '\u00a0': ['⍽', 'no-break space'],
};
const isWs = (ch: string) => WS_CHARS.includes(ch);

/**
 * Splits a value into parts, marking whitespace that would otherwise be invisible in a list: at
 * either end, in a run of two or more, and any whitespace that is not a plain space. " Acme  Corp"
 * and "Acme Corp" then look different. A single space between words stays as it is.
 */
export function valueParts(s: string): ValuePart[] {
  const parts: ValuePart[] = [];
  let text = '';
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const shown =
      isWs(ch) &&
      (ch !== ' ' || i === 0 || i === chars.length - 1 || isWs(chars[i - 1]!) || isWs(chars[i + 1]!));
    if (!shown) {
      text += ch;
      continue;
    }
    if (text) parts.push({ text });
    text = '';
    const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const [mark, name] = NAMES[ch] ?? ['⍽', `whitespace ${code}`];
    parts.push({ ws: ch, mark, name });
  }
  if (text) parts.push({ text });
  return parts;
}

/** The value in words for a label: marked whitespace named, as "[space]Acme Corp". */
export function valueLabel(v: string | number | null): string {
  if (v === null) return '(null)';
  if (v === '') return '(empty)';
  if (typeof v === 'number') return String(v);
  return valueParts(v)
    .map((p) => ('text' in p ? p.text : `[${p.name}]`))
    .join('');
}
