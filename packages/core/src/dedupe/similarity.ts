/**
 * Text normalisation and similarity for fuzzy duplicate rows.
 *
 * normalise(v): NFKD, drop combining marks (so accents do not count), lower-case, every run of
 * punctuation, symbols and whitespace -> one space, trimmed. NULL and values that normalise to
 * "" are *missing*.
 *
 * similarity(a, b) of two normalised values, in [0, 1]:
 *   both missing -> 1; one missing -> 0;
 *   else 1 - levenshtein(a, b) / max(len(a), len(b)), edit distance and lengths in code points.
 */
export function normaliseForMatch(value: string | null): string {
  if (value === null) return '';
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\s]+/gu, ' ')
    .trim();
}

/** Code points of a string. */
export function codePoints(s: string): Uint32Array {
  return Uint32Array.from(s, (ch) => ch.codePointAt(0)!);
}

/** Plain edit distance over code points (two rows of DP). */
export function editDistance(a: Uint32Array, b: Uint32Array): number {
  if (a.length > b.length) [a, b] = [b, a];
  if (a.length === 0) return b.length;
  let prev = new Int32Array(a.length + 1);
  let cur = new Int32Array(a.length + 1);
  for (let i = 0; i <= a.length; i++) prev[i] = i;
  for (let j = 1; j <= b.length; j++) {
    cur[0] = j;
    const bj = b[j - 1];
    for (let i = 1; i <= a.length; i++) {
      const sub = prev[i - 1]! + (a[i - 1] === bj ? 0 : 1);
      const del = prev[i]! + 1;
      const ins = cur[i - 1]! + 1;
      cur[i] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[a.length]!;
}

/** Similarity of two normalised values given as code points (see the file comment). */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  return 1 - editDistance(a, b) / Math.max(a.length, b.length);
}
