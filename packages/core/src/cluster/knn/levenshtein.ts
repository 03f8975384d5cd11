/**
 * OpenRefine's `levenshtein` distance: Vicino 1.2 `LevenshteinDistance` = |SecondString
 * `Levenstein.score`| = Needleman-Wunsch with unit gap cost and `CharMatchScore.DIST_01`, which
 * compares UTF-16 code units after Java's `Character.toLowerCase(char)`. So: plain edit distance
 * over UTF-16 code units, case-insensitive per code unit.
 */

import { BoundedEditDistance } from '../../text/edit-distance.js';

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

/** Unbounded case-insensitive edit distance (reference for tests; O(n*m)). */
export function levenshteinDistance(x: string, y: string): number {
  const a = javaLowerUnits(x);
  const b = javaLowerUnits(y);
  return new BoundedEditDistance().between(a, b, Math.max(a.length, b.length));
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
