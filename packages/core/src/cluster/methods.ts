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
 * `cluster-merge` reads them through a map table of its own input, see ./knn-map.ts).
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

export function isNearestNeighbour(
  method: ClusterMethod,
): method is (typeof NEAREST_NEIGHBOUR_METHODS)[number] {
  return (NEAREST_NEIGHBOUR_METHODS as readonly string[]).includes(method);
}

export const clusterParams = z
  .strictObject({
    ngramSize: z.number().int().min(1).max(10).optional(),
    radius: z.number().min(0).max(100).optional(),
    blockingNgramSize: z.number().int().min(1).max(20).optional(),
  })
  .optional();
export type ClusterParams = z.infer<typeof clusterParams>;

const PARAM_METHODS = {
  ngramSize: ['ngram-fingerprint'],
  radius: NEAREST_NEIGHBOUR_METHODS,
  blockingNgramSize: NEAREST_NEIGHBOUR_METHODS,
} as const satisfies Record<keyof NonNullable<ClusterParams>, readonly ClusterMethod[]>;

/**
 * A parameter given that `method` does not use (each applies to some methods only): its name as
 * the caller spells it (`nameOf`: `params.radius` in a recipe, `--radius` on the command line)
 * and the message; undefined when every parameter applies.
 */
export function clusterParamProblem(
  method: ClusterMethod,
  params: ClusterParams,
  nameOf: (param: string) => string = (p) => `params.${p}`,
): { field: string; message: string } | undefined {
  for (const [param, methods] of Object.entries(PARAM_METHODS)) {
    if (params?.[param as keyof typeof PARAM_METHODS] === undefined) continue;
    if ((methods as readonly string[]).includes(method)) continue;
    const field = nameOf(param);
    return { field, message: `${field} applies to method ${methods.join(' or ')} only, not ${method}` };
  }
  return undefined;
}
