/** Characters as numbers: UTF-16 code units or code points. */
export type Units = Uint16Array | Uint32Array;

/**
 * Edit distance, or `max + 1` as soon as it is known to exceed `max` (banded dynamic
 * programming: only cells within `max` of the diagonal are computed, and a row whose cells all
 * exceed `max` stops it). Keeps its rows between calls, so one instance serves a whole loop.
 */
export class BoundedEditDistance {
  private prev = new Int32Array(64);
  private cur = new Int32Array(64);

  /** Distance between `x` and `y`, capped at `max + 1`. */
  between(x: Units, y: Units, max: number): number {
    return this.banded(x, 0, x.length, y, 0, y.length, max);
  }

  /** Distance between `buf[offA, offA + lenA)` and `buf[offB, offB + lenB)`, capped at `max + 1`. */
  distanceIn(buf: Units, offA: number, lenA: number, offB: number, lenB: number, max: number): number {
    return this.banded(buf, offA, lenA, buf, offB, lenB, max);
  }

  private banded(
    x: Units,
    offX: number,
    lenX: number,
    y: Units,
    offY: number,
    lenY: number,
    max: number,
  ): number {
    if (lenX > lenY) return this.banded(y, offY, lenY, x, offX, lenX, max);
    if (lenY - lenX > max) return max + 1;
    // Strip the common prefix and suffix: they never change the distance.
    let la = lenX;
    let lb = lenY;
    let start = 0;
    while (start < la && x[offX + start] === y[offY + start]) start++;
    while (la > start && x[offX + la - 1] === y[offY + lb - 1]) {
      la--;
      lb--;
    }
    const n = la - start;
    const m = lb - start;
    if (n === 0) return m <= max ? m : max + 1;
    if (max === 1) return n === 1 && m === 1 ? 1 : 2; // n >= 1 and m >= n: distance 1 only for one substitution
    const a = offX + start;
    const b = offY + start;
    if (m + 1 > this.prev.length) {
      this.prev = new Int32Array(m + 1);
      this.cur = new Int32Array(m + 1);
    }
    const big = max + 1;
    let prev = this.prev;
    let cur = this.cur;
    // prev = row 0: distance from "" to y[0..j)
    for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : big;
    for (let i = 1; i <= n; i++) {
      const lo = Math.max(1, i - max);
      const hi = Math.min(m, i + max);
      cur[lo - 1] = lo - 1 === 0 ? (i <= max ? i : big) : big;
      const ai = x[a + i - 1];
      let rowMin = cur[lo - 1]!;
      for (let j = lo; j <= hi; j++) {
        const sub = prev[j - 1]! + (ai === y[b + j - 1] ? 0 : 1);
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
