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

/**
 * How `fingerprint` treats each UTF-16 unit of a trimmed value (steps 2–5 applied to that unit
 * alone). Doing the steps one unit at a time gives the same text as doing them on the whole
 * value, provided no unit is COMPLEX:
 * - lower-casing maps each character on its own, except final sigma (Σ U+03A3 lowers to ς or σ
 *   by context) and surrogate pairs (one character, two units): both are COMPLEX;
 * - NFKD is each character's decomposition followed by canonical reordering, which moves only
 *   characters with a non-zero combining class; those are all marks (\p{M}; checked over the whole
 *   BMP in keyers.test.ts). A unit whose result keeps a mark is COMPLEX; the marks the others'
 *   decompositions hold are deleted by step 3, wherever reordering would have put them;
 * - steps 3–5 delete or replace single characters.
 * A value with a COMPLEX unit goes through the steps as written (`fingerprintNormalize`).
 */
const KEEP = 0; // the unit is its own lower case and its own result
const UPPER = 1; // A–Z: its lower-case letter
const DELETE = 2; // no result
const SPACE = 3; // whitespace: ends a token
const REPLACE = 4; // REPLACEMENT[unit], no whitespace or mark in it
const COMPLEX = 5;
const UNKNOWN = 6; // not classified yet (classified on first sight)
const UNIT_CLASS = new Uint8Array(0x10000).fill(UNKNOWN);
const REPLACEMENT: string[] = [];
const MARK = /\p{M}/u;
const ALL_WS = new RegExp(`^[${WS_CLASS}]+$`);
const SOME_WS = new RegExp(`[${WS_CLASS}]`);

function classify(c: number): number {
  if (isWhitespace(c)) return SPACE;
  if ((c >= 0xd800 && c <= 0xdfff) || c === 0x03a3) return COMPLEX;
  const unit = String.fromCharCode(c);
  const r = foldLetters(unit.toLowerCase()).replace(PUNCT_CTRL, '');
  if (MARK.test(r)) return COMPLEX;
  if (r === unit && unit.toLowerCase() === unit) return KEEP;
  if (r === '') return DELETE;
  if (c >= 0x41 && c <= 0x5a) return UPPER;
  if (ALL_WS.test(r)) return SPACE;
  if (SOME_WS.test(r)) return COMPLEX;
  REPLACEMENT[c] = r;
  return REPLACE;
}
for (let c = 0; c < 0x80; c++) UNIT_CLASS[c] = classify(c);

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
  if (m < n) parts.length = m;
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

/** The text a value's units leave (steps 2–5), and where its tokens start and end in it. */
const MAX_UNITS = 512;
const MAX_TOKENS = 32;
const units = new Uint16Array(MAX_UNITS);
const tokenStart = new Int32Array(MAX_TOKENS + 1);
const tokenEnd = new Int32Array(MAX_TOKENS + 1);
const order = new Int32Array(MAX_TOKENS + 1);
/** A reusable array of each key length, for String.fromCharCode (no array made per key). */
const keyCodes: number[][] = [];

/** Token a before token b in UTF-16 unit order (JS's `<` on the token strings)? Negative, 0 or positive. */
function compareTokens(a: number, b: number): number {
  const a0 = tokenStart[a]!;
  const b0 = tokenStart[b]!;
  const la = tokenEnd[a]! - a0;
  const lb = tokenEnd[b]! - b0;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const d = units[a0 + k]! - units[b0 + k]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

export function fingerprint(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isWhitespace(s.charCodeAt(end - 1))) end--;
  if (end - start > MAX_UNITS) return fingerprintSlow(s);
  // One pass: each unit's result goes to `units`; whitespace ends a token. A whitespace unit met
  // before any token means Java's split has a leading empty token.
  let n = 0; // units written
  let tokens = 0;
  let current = -1; // start of the token being written
  let leadingEmpty = false;
  let verbatim = true; // every unit so far is its own result
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    let cls = UNIT_CLASS[c]!;
    if (cls === UNKNOWN) cls = UNIT_CLASS[c] = classify(c);
    if (cls === KEEP) {
      if (current < 0) current = n;
      units[n++] = c;
      continue;
    }
    verbatim = false;
    if (cls === UPPER) {
      if (current < 0) current = n;
      units[n++] = c + 0x20;
    } else if (cls === SPACE) {
      if (current >= 0) {
        if (tokens === MAX_TOKENS) return fingerprintSlow(s);
        tokenStart[tokens] = current;
        tokenEnd[tokens++] = n;
        current = -1;
      } else if (tokens === 0) leadingEmpty = true;
    } else if (cls === REPLACE) {
      const r = REPLACEMENT[c]!;
      if (n + r.length > MAX_UNITS) return fingerprintSlow(s);
      if (current < 0) current = n;
      for (let k = 0; k < r.length; k++) units[n++] = r.charCodeAt(k);
    } else if (cls === COMPLEX) return fingerprintSlow(s);
    // DELETE: nothing
  }
  if (current >= 0) {
    if (tokens === MAX_TOKENS) return fingerprintSlow(s);
    tokenStart[tokens] = current;
    tokenEnd[tokens++] = n;
  }
  if (tokens === 0) return '';
  if (verbatim && tokens === 1) return s.slice(start, end); // already its own key
  if (leadingEmpty) {
    tokenStart[tokens] = 0;
    tokenEnd[tokens++] = 0;
  }
  // sort (Java's String order: UTF-16 units), drop duplicates, join with one space
  for (let i = 0; i < tokens; i++) {
    const t = i;
    let j = i - 1;
    while (j >= 0 && compareTokens(order[j]!, t) > 0) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = t;
  }
  let kept = 1;
  let length = tokenEnd[order[0]!]! - tokenStart[order[0]!]!;
  for (let i = 1; i < tokens; i++) {
    const t = order[i]!;
    if (compareTokens(order[kept - 1]!, t) === 0) continue;
    order[kept++] = t;
    length += 1 + tokenEnd[t]! - tokenStart[t]!;
  }
  const codes = (keyCodes[length] ??= new Array<number>(length).fill(0));
  let p = 0;
  for (let i = 0; i < kept; i++) {
    if (i > 0) codes[p++] = 0x20;
    const t = order[i]!;
    for (let k = tokenStart[t]!; k < tokenEnd[t]!; k++) codes[p++] = units[k]!;
  }
  return String.fromCharCode.apply(null, codes);
}

/** Steps 1–5 as written, then Java's split (trailing empty tokens dropped), sort, distinct. */
function fingerprintSlow(s: string): string {
  const tokens = fingerprintNormalize(s).split(WS_RUN);
  while (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  return joinSortedDistinct(tokens, ' ');
}

export function ngramFingerprint(s: string, n = 2): string {
  const t = fingerprintNormalize(s).replace(CTRL_SPACE, '');
  const grams: string[] = [];
  for (let i = 0; i + n <= t.length; i++) grams.push(t.substring(i, i + n));
  return joinSortedDistinct(grams, '');
}
