import { z } from 'zod';

/** OpenRefine's clustering methods, by its names. */
export const CLUSTER_METHODS = [
  'fingerprint',
  'ngram-fingerprint',
  'metaphone3',
  'cologne-phonetic',
  'levenshtein',
  'ppm',
] as const;
export type ClusterMethod = (typeof CLUSTER_METHODS)[number];

export const clusterParams = z
  .strictObject({
    ngramSize: z.number().int().min(1).max(10).optional(),
    radius: z.number().min(0).max(100).optional(),
    blockingNgramSize: z.number().int().min(1).max(20).optional(),
  })
  .optional();
export type ClusterParams = z.infer<typeof clusterParams>;
