import { z } from 'zod';

/** OpenRefine's clustering methods, by its names. */
export const CLUSTER_METHODS = [
  'fingerprint',
  'ngram-fingerprint',
  'metaphone3',
  'cologne-phonetic',
  'daitch-mokotoff',
  'levenshtein',
  'ppm',
] as const;
export type ClusterMethod = (typeof CLUSTER_METHODS)[number];

/**
 * Key collision: a value's key alone decides its cluster (keyers in ./keyers, joined through a
 * key table, see ./key-table.ts; usable by `cluster-merge`). Nearest neighbour: clusters come
 * from distances between distinct values (./knn, a function over distinct (value, count) pairs;
 * `tidyvault cluster` only).
 */
export const KEY_COLLISION_METHODS = [
  'fingerprint',
  'ngram-fingerprint',
  'metaphone3',
  'cologne-phonetic',
  'daitch-mokotoff',
] as const satisfies readonly ClusterMethod[];
export const NEAREST_NEIGHBOUR_METHODS = ['levenshtein', 'ppm'] as const satisfies readonly ClusterMethod[];

export function isKeyCollision(method: ClusterMethod): boolean {
  return (KEY_COLLISION_METHODS as readonly string[]).includes(method);
}

export const clusterParams = z
  .strictObject({
    ngramSize: z.number().int().min(1).max(10).optional(),
    radius: z.number().min(0).max(100).optional(),
    blockingNgramSize: z.number().int().min(1).max(20).optional(),
  })
  .optional();
export type ClusterParams = z.infer<typeof clusterParams>;

/** The parameter of `params` that `method` does not use (each applies to some methods only), if any. */
export function unusedClusterParam(method: ClusterMethod, params: ClusterParams): string | undefined {
  if (params?.ngramSize !== undefined && method !== 'ngram-fingerprint') return 'ngramSize';
  const knn = (NEAREST_NEIGHBOUR_METHODS as readonly string[]).includes(method);
  if (!knn && params?.radius !== undefined) return 'radius';
  if (!knn && params?.blockingNgramSize !== undefined) return 'blockingNgramSize';
  return undefined;
}

/** Which methods a cluster parameter applies to, for messages. */
export const CLUSTER_PARAM_METHODS: Record<string, string> = {
  ngramSize: 'ngram-fingerprint',
  radius: 'levenshtein and ppm',
  blockingNgramSize: 'levenshtein and ppm',
};
