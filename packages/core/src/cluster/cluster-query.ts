import { col, isNotNull, type Select } from '@tidyvault/sql';
import { TidyvaultError } from '../errors.js';
import { compareCodePoints as byCodePoint } from '../text/code-points.js';
import { clusterKeySql } from './key-sql.js';
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

/** (key, value, count) for every distinct non-NULL value whose key is shared by another value. */
export function clusterRowsQuery(
  source: Select,
  column: string,
  method: ClusterMethod,
  params: ClusterParams,
): Select {
  const key = clusterKeySql(method, params, col('value'));
  if (!key) {
    throw new TidyvaultError(
      'RECIPE_UNSUPPORTED',
      `clustering method "${method}" is not available in this engine yet (available: fingerprint, ngram-fingerprint)`,
    );
  }
  const counts: Select = {
    kind: 'select',
    columns: [
      { expr: col(column), as: 'value' },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: { kind: 'subquery', query: source, alias: 'data' },
    where: isNotNull(col(column)),
    groupBy: [col(column)],
  };
  return {
    kind: 'select',
    with: [
      { name: 'counts', query: counts },
      {
        name: 'keyed',
        query: {
          kind: 'select',
          columns: [{ expr: col('value') }, { expr: col('n') }, { expr: key, as: 'k' }],
          from: { kind: 'table', name: 'counts' },
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

/** Group rows into clusters: values by count desc then code point; clusters largest first. */
export function assembleClusters(rows: { k: string; value: string; n: number }[]): Cluster[] {
  const groups = new Map<string, { value: string; count: number }[]>();
  for (const r of rows) {
    const g = groups.get(r.k) ?? [];
    g.push({ value: r.value, count: r.n });
    groups.set(r.k, g);
  }
  const clusters = [...groups.values()].map((values) => {
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
