/**
 * The value with every object's keys in sorted (UTF-16 code unit) order, so that
 * `JSON.stringify` gives the same text for equal values however they were built.
 */
export function withSortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withSortedKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, withSortedKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
