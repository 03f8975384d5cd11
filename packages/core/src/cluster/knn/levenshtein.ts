/**
 * OpenRefine's `levenshtein` distance: Vicino 1.2 `LevenshteinDistance` = |SecondString
 * `Levenstein.score`| = Needleman-Wunsch with unit gap cost and `CharMatchScore.DIST_01`, which
 * compares UTF-16 code units after Java's `Character.toLowerCase(char)`. So: plain edit distance
 * over UTF-16 code units, case-insensitive per code unit.
 */

let lowerTable: Uint16Array | undefined;

/** Java `Character.toLowerCase(char)` for every UTF-16 code unit (simple case mapping). */
function javaLowerTable(): Uint16Array {
  if (lowerTable) return lowerTable;
  const t = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      t[c] = c;
      continue;
    }
    const l = String.fromCharCode(c).toLowerCase();
    // Only U+0130 has a multi-unit full mapping; its simple mapping is U+0069.
    t[c] = l.length === 1 ? l.charCodeAt(0) : c === 0x130 ? 0x69 : c;
  }
  lowerTable = t;
  return t;
}

/** The code units of `s`, each lower-cased as Java's `Character.toLowerCase(char)` does. */
export function javaLowerUnits(s: string): Uint16Array {
  const t = javaLowerTable();
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = t[s.charCodeAt(i)]!;
  return out;
}

/**
 * Edit distance between two lower-cased unit arrays, or `max + 1` as soon as it is known to
 * exceed `max` (banded dynamic programming: only cells within `max` of the diagonal).
 * `row` is scratch space of at least `min(a.length, b.length) + 1` entries... any size works; it is grown on demand.
 */
export class BoundedLevenshtein {
  private prev = new Int32Array(64);
  private cur = new Int32Array(64);

  distance(x: Uint16Array, y: Uint16Array, max: number): number {
    let a = x;
    let b = y;
    if (a.length > b.length) [a, b] = [b, a];
    let la = a.length;
    let lb = b.length;
    if (lb - la > max) return max + 1;
    // Strip the common prefix and suffix: they never change the distance.
    let start = 0;
    while (start < la && a[start] === b[start]) start++;
    while (la > start && a[la - 1] === b[lb - 1]) {
      la--;
      lb--;
    }
    const n = la - start;
    const m = lb - start;
    if (n === 0) return m <= max ? m : max + 1;
    if (m + 1 > this.prev.length) {
      this.prev = new Int32Array(m + 1);
      this.cur = new Int32Array(m + 1);
    }
    const big = max + 1;
    let prev = this.prev;
    let cur = this.cur;
    // prev = row 0: distance from "" to b[0..j)
    for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : big;
    for (let i = 1; i <= n; i++) {
      const lo = Math.max(1, i - max);
      const hi = Math.min(m, i + max);
      cur[lo - 1] = lo - 1 === 0 ? (i <= max ? i : big) : big;
      const ai = a[start + i - 1];
      let rowMin = cur[lo - 1]!;
      for (let j = lo; j <= hi; j++) {
        const sub = prev[j - 1]! + (ai === b[start + j - 1] ? 0 : 1);
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
      const t = prev;
      prev = cur;
      cur = t;
    }
    const d = prev[m]!;
    return d <= max ? d : big;
  }
}

/** Unbounded case-insensitive edit distance (reference for tests; O(n*m)). */
export function levenshteinDistance(x: string, y: string): number {
  const a = javaLowerUnits(x);
  const b = javaLowerUnits(y);
  return new BoundedLevenshtein().distance(a, b, Math.max(a.length, b.length));
}
