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
 * Edit distance between two runs of lower-cased code units in one buffer, or `max + 1` as soon
 * as it is known to exceed `max` (banded dynamic programming: only cells within `max` of the
 * diagonal are computed, and a row whose cells all exceed `max` stops it).
 */
export class BoundedLevenshtein {
  private prev = new Int32Array(64);
  private cur = new Int32Array(64);

  /** Distance between `buf[offA, offA + lenA)` and `buf[offB, offB + lenB)`, capped at `max + 1`. */
  distanceIn(buf: Uint16Array, offA: number, lenA: number, offB: number, lenB: number, max: number): number {
    if (lenA > lenB) return this.distanceIn(buf, offB, lenB, offA, lenA, max);
    if (lenB - lenA > max) return max + 1;
    // Strip the common prefix and suffix: they never change the distance.
    let la = lenA;
    let lb = lenB;
    let start = 0;
    while (start < la && buf[offA + start] === buf[offB + start]) start++;
    while (la > start && buf[offA + la - 1] === buf[offB + lb - 1]) {
      la--;
      lb--;
    }
    const n = la - start;
    const m = lb - start;
    if (n === 0) return m <= max ? m : max + 1;
    if (max === 1) return n === 1 && m === 1 ? 1 : 2; // n >= 1 and m >= n: distance 1 only for one substitution
    const a = offA + start;
    const b = offB + start;
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
      const ai = buf[a + i - 1];
      let rowMin = cur[lo - 1]!;
      for (let j = lo; j <= hi; j++) {
        const sub = prev[j - 1]! + (ai === buf[b + j - 1] ? 0 : 1);
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

  /** Distance between two lower-cased unit arrays, capped at `max + 1`. */
  distance(x: Uint16Array, y: Uint16Array, max: number): number {
    const buf = new Uint16Array(x.length + y.length);
    buf.set(x, 0);
    buf.set(y, x.length);
    return this.distanceIn(buf, 0, x.length, x.length, y.length, max);
  }
}

/** Unbounded case-insensitive edit distance (reference for tests; O(n*m)). */
export function levenshteinDistance(x: string, y: string): number {
  const a = javaLowerUnits(x);
  const b = javaLowerUnits(y);
  return new BoundedLevenshtein().distance(a, b, Math.max(a.length, b.length));
}

/**
 * Bit-parallel edit distance (Myers 1999, Hyyrö's formulation) of one pattern of at most 32
 * code units against many texts: the pattern's match masks are built once (`setPattern`), then
 * each text costs a few word operations per code unit, with an early stop once the distance is
 * known to exceed `max`.
 */
export class PatternLevenshtein {
  private readonly peq = new Int32Array(0x10000);
  private units: number[] = [];
  private m = 0;

  /** Use `buf[off, off + len)` (len <= 32) as the pattern. */
  setPattern(buf: Uint16Array, off: number, len: number): void {
    for (const u of this.units) this.peq[u] = 0;
    this.units = [];
    for (let k = 0; k < len; k++) {
      const u = buf[off + k]!;
      if (this.peq[u] === 0) this.units.push(u);
      this.peq[u]! |= 1 << k;
    }
    this.m = len;
  }

  /** Distance between the pattern and `buf[off, off + len)`, capped at `max + 1`. */
  distance(buf: Uint16Array, off: number, len: number, max: number): number {
    const m = this.m;
    if (m === 0) return len <= max ? len : max + 1;
    const peq = this.peq;
    const high = 1 << (m - 1);
    let pv = -1;
    let mv = 0;
    let score = m;
    for (let t = 0; t < len; t++) {
      const eq = peq[buf[off + t]!]!;
      const xv = eq | mv;
      const xh = (((eq & pv) + pv) ^ pv) | eq;
      let ph = mv | ~(xh | pv);
      let mh = pv & xh;
      if (ph & high) score++;
      else if (mh & high) score--;
      if (score - (len - t - 1) > max) return max + 1;
      ph = (ph << 1) | 1;
      mh <<= 1;
      pv = mh | ~(xv | ph);
      mv = ph & xv;
    }
    return score <= max ? score : max + 1;
  }
}
