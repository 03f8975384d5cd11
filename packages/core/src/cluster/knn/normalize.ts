/**
 * OpenRefine's n-gram blocking, as in Vicino 1.2's `NGramTokenizer` (the library OpenRefine's
 * kNN clusterer uses): trim (Java `String.trim`: code units <= U+0020), remove ASCII control
 * characters (`\p{Cntrl}`) and ASCII punctuation (`\p{Punct}`), collapse runs of ASCII whitespace
 * (`\p{Space}+`) to one space, lower-case; then every substring of `n` UTF-16 code units.
 * A normalised value shorter than `n` yields no n-gram, so it is never compared (as in OpenRefine).
 */
export function blockingNormalize(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  const units: number[] = [];
  let lastWasSpace = false;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || isAsciiPunct(c)) continue;
    if (c === 0x20) {
      if (!lastWasSpace) units.push(c);
      lastWasSpace = true;
      continue;
    }
    lastWasSpace = false;
    units.push(c);
  }
  let out = '';
  for (let k = 0; k < units.length; k += 4096) out += String.fromCharCode(...units.slice(k, k + 4096));
  return out.toLowerCase();
}

function isAsciiPunct(c: number): boolean {
  return (
    (c >= 0x21 && c <= 0x2f) ||
    (c >= 0x3a && c <= 0x40) ||
    (c >= 0x5b && c <= 0x60) ||
    (c >= 0x7b && c <= 0x7e)
  );
}

/** The distinct blocking n-grams of a value, in order of first appearance. */
export function blockingNgrams(value: string, n: number): string[] {
  const s = blockingNormalize(value);
  const grams = new Set<string>();
  for (let i = 0; i + n <= s.length; i++) grams.add(s.substring(i, i + n));
  return [...grams];
}
