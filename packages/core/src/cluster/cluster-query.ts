import { col, isNotNull, type Select } from '@tidyvault/sql';
import type { ClusterMethod } from './methods.js';

export interface Cluster {
  values: { value: string; count: number }[];
  suggested: string;
}

export interface ClusterResult {
  column: string;
  method: ClusterMethod;
  clusters: Cluster[];
}

/** (value, n): every distinct non-NULL value of `column` (as text) with its row count. */
export function distinctCountsQuery(source: Select, column: string): Select {
  return {
    kind: 'select',
    columns: [
      { expr: { kind: 'cast', expr: col(column), to: 'VARCHAR' }, as: 'value' },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: { kind: 'subquery', query: { ...source, orderBy: [] }, alias: 'data' },
    where: isNotNull(col(column)),
    groupBy: [col(column)],
  };
}

export { keyCollisionClusters, packedDistinctCountsQuery, unpackDistinctCounts } from './key-collision.js';
