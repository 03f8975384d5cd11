/** A value listed in more than one selected cluster (nearest-neighbour clusters can overlap). */
export interface Overlap {
  value: string;
  /** 1-based numbers of the selected clusters listing it, in order. */
  clusters: number[];
  /** What it becomes: the first edit that lists it wins (mass-edit's rule), or itself. */
  becomes: string;
}

/**
 * Values in two or more of the clusters chosen for merging, and what each will become, so the
 * dialog can say so before the merge instead of silently keeping the first cluster's new value.
 */
export function clusterOverlaps(
  clusters: { values: { value: string }[] }[],
  choices: ({ merge: boolean; to: string } | undefined)[],
): Overlap[] {
  const seen = new Map<string, Overlap & { edited: boolean }>();
  clusters.forEach((c, i) => {
    const choice = choices[i];
    if (!choice?.merge) return;
    for (const { value } of c.values) {
      let o = seen.get(value);
      if (!o) seen.set(value, (o = { value, clusters: [], becomes: value, edited: false }));
      o.clusters.push(i + 1);
      // A cluster's edit lists every value but its new one.
      if (!o.edited && value !== choice.to) {
        o.becomes = choice.to;
        o.edited = true;
      }
    }
  });
  return [...seen.values()]
    .filter((o) => o.clusters.length > 1)
    .map(({ value, clusters: numbers, becomes }) => ({ value, clusters: numbers, becomes }));
}
