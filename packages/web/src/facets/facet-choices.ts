import type { FacetResult } from '../api/types.js';

/** A facet's choice: `count` undefined when it is selected but beyond the values listed. */
export interface FacetChoice {
  value: string | null;
  count: number | undefined;
}

/**
 * The choices a text facet lists: the values counted under the other facets, then any selected
 * value they left out, so it can still be seen and unticked (as OpenRefine keeps it, at 0). A
 * value left out of a truncated list may have rows: its count is unknown.
 */
export function facetChoices(result: FacetResult, selected: readonly (string | null)[]): FacetChoice[] {
  const listed = new Set(result.values.map((v) => v.value));
  const missing = selected.filter((s) => !listed.has(s));
  return [...result.values, ...missing.map((value) => ({ value, count: result.truncated ? undefined : 0 }))];
}
