import { withSortedKeys } from '../text/sorted-keys.js';
import { knnClusters, type KnnOptions } from './knn/knn.js';
import type { ClusterParams, NEAREST_NEIGHBOUR_METHODS } from './methods.js';

/**
 * A `cluster-merge` with a nearest-neighbour method (levenshtein, ppm) reads a map table: `value`
 * → `key` (the number of the cluster the value joins), for the values of the step's input that
 * are in a cluster. Unlike a key-collision key table, the map depends on every distinct value of
 * the input, so each (input, step) has its own table. An input is named by the relation it
 * starts from and the steps before: engines never reuse a relation's name for other rows, so
 * the name identifies the rows, and the map can be kept and reused for as long as the relation
 * lives. An engine fills the table before running SQL that reads it (`clusterKeyNeeds`).
 */
export function knnMapTable(
  source: string,
  stepsBefore: readonly unknown[],
  step: { column: string; method: (typeof NEAREST_NEIGHBOUR_METHODS)[number]; params?: ClusterParams },
): string {
  const identity = JSON.stringify(
    withSortedKeys({
      source,
      steps: stepsBefore,
      column: step.column,
      method: step.method,
      params: step.params ?? {},
    }),
  );
  return `cluster_map_${step.method}_${textHash(identity)}`;
}

/**
 * The map of a nearest-neighbour `cluster-merge`: clusters as `tidyvault cluster` lists them
 * (largest first), each value joining the first cluster it is listed in (nearest-neighbour
 * clusters can overlap). Values in no cluster are left out. The step then gives each key's
 * values their most frequent spelling.
 */
export async function knnMergeMap(
  values: readonly { value: string; count: number }[],
  method: (typeof NEAREST_NEIGHBOUR_METHODS)[number],
  params: ClusterParams,
  options: KnnOptions = {},
): Promise<{ values: string[]; keys: string[] }> {
  const clusters = await knnClusters(
    values,
    { method, radius: params?.radius, blockingNgramSize: params?.blockingNgramSize },
    options,
  );
  const joined = new Map<string, string>();
  clusters.forEach((c, i) => {
    for (const { value } of c.values) if (!joined.has(value)) joined.set(value, String(i));
  });
  return { values: [...joined.keys()], keys: [...joined.values()] };
}

/** 128 bits of FNV-1a (four 32-bit lanes with different offsets) as 32 hex digits: a name, not a secret. */
export function textHash(text: string): string {
  const lanes = [0x811c9dc5, 0x050c5d1f, 0x2d358dcc, 0x6c8e9cf5];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    for (let l = 0; l < 4; l++) lanes[l] = Math.imul(lanes[l]! ^ (c + l * 0x9e37), 0x01000193) >>> 0;
  }
  return lanes.map((x) => x.toString(16).padStart(8, '0')).join('');
}
