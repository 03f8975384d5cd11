/**
 * OpenRefine's fingerprint and n-gram fingerprint keyers (FingerprintKeyer.java,
 * NGramFingerprintKeyer.java in OpenRefine's clustering/binning package), re-implemented from
 * their documented behaviour:
 *
 * 1. trim Unicode whitespace (Guava's CharMatcher.whitespace(): the White_Space property) from both ends;
 * 2. lower-case (String.toLowerCase: full Unicode mapping, final sigma, İ → i + U+0307);
 * 3. NFKD, then delete every character of the Combining Diacritical Marks block (U+0300–U+036F),
 *    every modifier letter (Lm) and every modifier symbol (Sk) — so `^`, `` ` ``, `ʰ`, `ー`, `々`
 *    and emoji skin-tone modifiers disappear;
 * 4. replace, one UTF-16 unit at a time: ß→ss æ→ae ø→oe å→aa ©→c ð→d đ→d ɖ→d þ→th ƿ→w ħ→h ı→i
 *    ĸ→k ł→l ŋ→n ſ→s ŧ→t œ→oe ẜ→s ẝ→s;
 * 5. delete Unicode punctuation (general category P*, i.e. Java's \p{Punct} under
 *    UNICODE_CHARACTER_CLASS: `$ + < = > | ~` are symbols and stay) and the C0/C1 control
 *    characters other than the whitespace ones (TAB LF VT FF CR NEL stay, to split on).
 *
 * Fingerprint: split on runs of White_Space (a leading empty token survives when the text left
 * by step 5 starts with whitespace; trailing empty tokens are dropped, as Java's split does), sort
 * by UTF-16 code units (Java's String order), drop duplicates, join with one space.
 *
 * N-gram fingerprint: delete control characters (Cc) and White_Space, take every substring of
 * `n` UTF-16 units, sort them by UTF-16 units, drop duplicates, concatenate. A text shorter than
 * `n` units has the empty key.
 */

const WS_CLASS = '\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const WS_RUN = new RegExp(`[${WS_CLASS}]+`);
const DIACRITICS_AND_FRIENDS = /[\u0300-\u036F\p{Lm}\p{Sk}]+/gu;
// eslint-disable-next-line no-control-regex -- OpenRefine deletes these control characters
const PUNCT_CTRL = /[\p{P}\x00-\x08\x0E-\x1F\x7F\x80-\x84\x86-\x9F]/gu;
const CTRL_SPACE = new RegExp(`[\\p{Cc}${WS_CLASS}]`, 'gu');
const NON_DIACRITICS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  ø: 'oe',
  å: 'aa',
  '©': 'c',
  '\u00F0': 'd',
  '\u0111': 'd',
  '\u0256': 'd',
  '\u00FE': 'th',
  ƿ: 'w',
  '\u0127': 'h',
  '\u0131': 'i',
  '\u0138': 'k',
  '\u0142': 'l',
  '\u014B': 'n',
  '\u017F': 's',
  '\u0167': 't',
  œ: 'oe',
  ẜ: 's',
  ẝ: 's',
};
const NON_DIACRITIC_CHARS = new RegExp(`[${Object.keys(NON_DIACRITICS).join('')}]`, 'g');

/** Unicode White_Space (the set Guava's CharMatcher.whitespace() and Java's \\s under UNICODE_CHARACTER_CLASS use). */
function isWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    (c >= 0x80 &&
      (c === 0x85 ||
        c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000))
  );
}

const KEEP = 0;
const DELETE = 1;
const SPACE = 2;
/** What steps 3–5 do to each ASCII character (NFKD and the replacement table leave ASCII alone). */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII_CLASS[c] = isWhitespace(c) ? SPACE : /[\p{P}\p{Sk}\p{Cc}]/u.test(ch) ? DELETE : KEEP;
}

/**
 * Tokens of an already lower-cased, already trimmed text made only of ASCII, with steps 3–5
 * applied on the fly; undefined as soon as a non-ASCII character shows up. A whitespace
 * character met before any token means Java's split has a leading empty token.
 */
function asciiTokens(t: string, start: number, end: number): string[] | undefined {
  const tokens: string[] = [];
  let token = '';
  let seg = -1;
  let leadingEmpty = false;
  for (let i = start; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c >= 128) return undefined;
    const cls = ASCII_CLASS[c];
    if (cls === KEEP) {
      if (seg < 0) seg = i;
      continue;
    }
    if (seg >= 0) {
      token += t.slice(seg, i);
      seg = -1;
    }
    if (cls === SPACE) {
      if (token !== '') {
        tokens.push(token);
        token = '';
      } else if (tokens.length === 0) leadingEmpty = true;
    }
  }
  if (seg >= 0) token += t.slice(seg, end);
  if (token !== '') tokens.push(token);
  if (leadingEmpty && tokens.length > 0) tokens.push('');
  return tokens;
}

/** Java's `Stream.sorted().distinct()` joined: UTF-16 code unit order (JS's `<`). */
function joinSortedDistinct(parts: string[], sep: string): string {
  const n = parts.length;
  if (n === 0) return '';
  if (n === 1) return parts[0]!;
  if (n > 16) parts.sort();
  else {
    for (let i = 1; i < n; i++) {
      const x = parts[i]!;
      let j = i - 1;
      while (j >= 0 && parts[j]! > x) {
        parts[j + 1] = parts[j]!;
        j--;
      }
      parts[j + 1] = x;
    }
  }
  let m = 1;
  for (let i = 1; i < n; i++) if (parts[i] !== parts[m - 1]) parts[m++] = parts[i]!;
  parts.length = m;
  return parts.join(sep); // a flat string: cheaper to hash than a chain of concatenations
}

/** Steps 3–4 on a trimmed, lower-cased text. */
function foldLetters(t: string): string {
  return t
    .normalize('NFKD')
    .replace(DIACRITICS_AND_FRIENDS, '')
    .replace(NON_DIACRITIC_CHARS, (c) => NON_DIACRITICS[c]!);
}

function trimmedLower(s: string): string {
  const t = s.toLowerCase();
  let start = 0;
  let end = t.length;
  while (start < end && isWhitespace(t.charCodeAt(start))) start++;
  while (end > start && isWhitespace(t.charCodeAt(end - 1))) end--;
  return start === 0 && end === t.length ? t : t.slice(start, end);
}

/** OpenRefine's `normalize(s, true)`: steps 1–5 above. */
export function fingerprintNormalize(s: string): string {
  return foldLetters(trimmedLower(s)).replace(PUNCT_CTRL, '');
}

export function fingerprint(s: string): string {
  const t = trimmedLower(s);
  let tokens = asciiTokens(t, 0, t.length);
  if (!tokens) {
    const folded = foldLetters(t);
    tokens = asciiTokens(folded, 0, folded.length);
    if (!tokens) {
      tokens = folded.replace(PUNCT_CTRL, '').split(WS_RUN);
      while (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
    }
  }
  return joinSortedDistinct(tokens, ' ');
}

export function ngramFingerprint(s: string, n = 2): string {
  const t = fingerprintNormalize(s).replace(CTRL_SPACE, '');
  const grams: string[] = [];
  for (let i = 0; i + n <= t.length; i++) grams.push(t.substring(i, i + n));
  return joinSortedDistinct(grams, '');
}
