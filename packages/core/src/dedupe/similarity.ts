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

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Edit distance over code points, or `max + 1` as soon as it is known to exceed `max`
 * (banded: only cells within `max` of the diagonal; a row entirely above `max` stops it).
 */
export function boundedEditDistance(x: Uint32Array, y: Uint32Array, max: number): number {
  let a = x;
  let b = y;
  if (a.length > b.length) [a, b] = [b, a];
  const n = a.length;
  const m = b.length;
  if (m - n > max) return max + 1;
  if (n === 0) return m;
  if (m + 1 > rowA.length) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
  }
  const big = max + 1;
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : big;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[lo - 1] = lo === 1 ? (i <= max ? i : big) : big;
    const ai = a[i - 1];
    let rowMin = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const sub = prev[j - 1]! + (ai === b[j - 1] ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      let v = sub < del ? sub : del;
      if (ins < v) v = ins;
      if (v > big) v = big;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = big;
    if (rowMin > max) return big;
    [prev, cur] = [cur, prev];
  }
  const d = prev[m]!;
  return d <= max ? d : big;
}

/** Plain edit distance over code points. */
export function editDistance(a: Uint32Array, b: Uint32Array): number {
  return boundedEditDistance(a, b, Math.max(a.length, b.length));
}

/** Similarity of two normalised values given as code points (see the file comment). */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  return 1 - editDistance(a, b) / Math.max(a.length, b.length);
}
