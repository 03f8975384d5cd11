import { BoundedEditDistance } from '../text/edit-distance.js';

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

const bounded = new BoundedEditDistance();

/** Edit distance over code points, or `max + 1` as soon as it is known to exceed `max`. */
export function boundedEditDistance(x: Uint32Array, y: Uint32Array, max: number): number {
  return bounded.between(x, y, max);
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
