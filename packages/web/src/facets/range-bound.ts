/**
 * A bound typed into a numeric facet: blank is "no bound"; numbers may carry the grid's
 * thousands separators (`1,200.5`, as shown with English grouping). Anything else is not a
 * number, and says so rather than being taken as "no bound".
 */
export function parseBound(text: string): { value: number | undefined } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: undefined };
  const plain = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(t) ? t.replaceAll(',', '') : t;
  const n = Number(plain);
  return plain !== '' && Number.isFinite(n) ? { value: n } : { error: `"${t}" is not a number` };
}
