import { col, isNotNull, type Select } from '@tidyvault/sql';
import { compareCodePoints as byCodePoint } from '../text/code-points.js';
import { clusterKeyTable } from './key-table.js';
import type { ClusterMethod, ClusterParams } from './methods.js';

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

/**
 * Key collision: (k, value, n) for every distinct non-NULL value whose key is shared by another
 * value. Keys come from the method's key table (see ./key-table.ts), which the engine fills first.
 */
export function clusterRowsQuery(
  source: Select,
  column: string,
  method: ClusterMethod,
  params: ClusterParams,
): Select {
  return {
    kind: 'select',
    with: [
      { name: 'counts', query: distinctCountsQuery(source, column) },
      {
        name: 'keyed',
        query: {
          kind: 'select',
          columns: [{ expr: col('value', 'c') }, { expr: col('n', 'c') }, { expr: col('key', 'k'), as: 'k' }],
          from: {
            kind: 'join',
            type: 'INNER',
            left: { kind: 'table', name: 'counts', alias: 'c' },
            right: { kind: 'table', name: clusterKeyTable(method, params), alias: 'k' },
            on: { kind: 'binary', op: '=', left: col('value', 'c'), right: col('value', 'k') },
          },
        },
      },
    ],
    columns: [{ expr: col('k') }, { expr: col('value') }, { expr: col('n') }],
    from: { kind: 'table', name: 'keyed' },
    qualify: {
      kind: 'binary',
      op: '>=',
      left: { kind: 'countStar', over: { partitionBy: [col('k')] } },
      right: { kind: 'literal', value: 2 },
    },
  };
}

/**
 * Group rows into clusters. Inside a cluster values are ordered by count descending, then by
 * code point (DESIGN.md), and `suggested` is the first, OpenRefine's default merge value.
 * Clusters: most values first, then most rows, then by suggested value.
 */
export function assembleClusters(rows: { k: string; value: string; n: number }[]): Cluster[] {
  const groups = new Map<string, { value: string; count: number }[]>();
  for (const r of rows) {
    const g = groups.get(r.k) ?? [];
    g.push({ value: r.value, count: r.n });
    groups.set(r.k, g);
  }
  const clusters = [...groups.values()]
    .filter((values) => values.length >= 2)
    .map((values) => {
      values.sort((a, b) => b.count - a.count || byCodePoint(a.value, b.value));
      return { values, suggested: values[0]!.value };
    });
  const total = (c: Cluster) => c.values.reduce((s, v) => s + v.count, 0);
  clusters.sort(
    (a, b) =>
      b.values.length - a.values.length || total(b) - total(a) || byCodePoint(a.suggested, b.suggested),
  );
  return clusters;
}
