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
const TRIM = new RegExp(`^[${WS_CLASS}]+|[${WS_CLASS}]+$`, 'g');
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

/**
 * Printable ASCII needs none of NFKD, the modifier deletion or the replacement table: its only
 * modifier symbols (`^`, `` ` ``) and its punctuation are deleted here, its symbols kept.
 */
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
const ASCII_DELETED = /[!-#%-*,-/:;?@[-`{}]/g;

/** OpenRefine's `normalize(s, true)`: steps 1–5 above. */
export function fingerprintNormalize(s: string): string {
  if (PRINTABLE_ASCII.test(s)) {
    return s.trim().toLowerCase().replace(ASCII_DELETED, '');
  }
  let t = s.replace(TRIM, '').toLowerCase().normalize('NFKD').replace(DIACRITICS_AND_FRIENDS, '');
  t = t.replace(NON_DIACRITIC_CHARS, (c) => NON_DIACRITICS[c]!);
  return t.replace(PUNCT_CTRL, '');
}

/** Java's `String.compareTo`: UTF-16 code units. */
function byUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedDistinct(parts: string[]): string[] {
  parts.sort(byUnits);
  const out: string[] = [];
  for (const p of parts) if (out.length === 0 || out[out.length - 1] !== p) out.push(p);
  return out;
}

export function fingerprint(s: string): string {
  const tokens = fingerprintNormalize(s).split(WS_RUN);
  while (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  if (tokens.length === 1) return tokens[0]!;
  return sortedDistinct(tokens).join(' ');
}

export function ngramFingerprint(s: string, n = 2): string {
  const t = fingerprintNormalize(s).replace(CTRL_SPACE, '');
  const grams: string[] = [];
  for (let i = 0; i + n <= t.length; i++) grams.push(t.substring(i, i + n));
  return sortedDistinct(grams).join('');
}
