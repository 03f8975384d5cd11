import { col, type Expr, type Select } from '@tidyvault/sql';
import { PACK_SEP, packedList, packSeparator } from './packed-list.js';
import { compareCodePoints as byCodePoint } from '../text/code-points.js';
import type { Cluster } from './cluster-query.js';
import { keyerFor } from './keyers/index.js';
import type { ClusterMethod, ClusterParams } from './methods.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Key-collision clustering over distinct values and their row counts (what OpenRefine's
 * BinningClusterer computes): one key per distinct value, values grouped by equal key, only
 * groups of two or more. Inside a cluster values are ordered by count descending, then by code
 * point, and `suggested` is the first (OpenRefine's default merge value); clusters come most
 * values first, then most rows, then by suggested value.
 */
export function keyCollisionClusters(
  values: readonly string[],
  counts: readonly number[],
  method: ClusterMethod,
  params: ClusterParams,
): Cluster[] {
  const keyer = keyerFor(method, params);
  // key → index of its only value so far, or the indices of its values once there are two
  const byKey = new Map<string, number | number[]>();
  const groups: number[][] = [];
  for (let i = 0; i < values.length; i++) {
    const k = keyer(values[i]!);
    const seen = byKey.get(k);
    if (seen === undefined) byKey.set(k, i);
    else if (typeof seen === 'number') {
      const g = [seen, i];
      groups.push(g);
      byKey.set(k, g);
    } else seen.push(i);
  }
  const clusters: (Cluster & { total: number; surrogates: boolean })[] = [];
  for (const members of groups) {
    const vs = members.map((i) => ({ value: values[i]!, count: counts[i]! }));
    vs.sort((a, b) => b.count - a.count || byCodePoint(a.value, b.value));
    let total = 0;
    for (const v of vs) total += v.count;
    const suggested = vs[0]!.value;
    clusters.push({ values: vs, suggested, total, surrogates: SURROGATE.test(suggested) });
  }
  // JS's `<` is UTF-16 order, which is code point order unless a surrogate is involved
  clusters.sort(
    (a, b) =>
      b.values.length - a.values.length ||
      b.total - a.total ||
      (a.surrogates || b.surrogates
        ? byCodePoint(a.suggested, b.suggested)
        : a.suggested < b.suggested
          ? -1
          : a.suggested > b.suggested
            ? 1
            : 0),
  );
  return clusters.map(({ values: v, suggested }) => ({ values: v, suggested }));
}

/**
 * Distinct values (as text) of `column` in `source` with their row counts, packed into one row
 * so that reading a million of them costs one string, not a million values:
 * `packed` = value SEP count SEP value SEP count … (SEP = U+001F), `n` = number of values. When
 * a value itself contains U+001F the packed text has more parts than 2n and the caller reads
 * the `json` form instead: `[{"value": .., "n": ..}, …]`. See `unpackDistinctCounts`.
 */
export function packedDistinctCountsQuery(source: Select, column: string, json = false): Select {
  const counts: Select = {
    kind: 'select',
    columns: [
      { expr: { kind: 'cast', expr: col(column), to: 'VARCHAR' }, as: 'value' },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: { kind: 'subquery', query: { ...source, orderBy: [] }, alias: 'data' },
    where: { kind: 'unary', op: 'IS NOT NULL', arg: col(column) },
    groupBy: [col(column)],
  };
  const item: Expr = json
    ? {
        kind: 'struct',
        fields: [
          { name: 'value', value: col('value') },
          { name: 'n', value: col('n') },
        ],
      }
    : { kind: 'call', fn: 'concat', args: [col('value'), packSeparator, col('n')] };
  const list: Expr = { kind: 'call', fn: 'list', args: [item] };
  return {
    kind: 'select',
    columns: [
      {
        expr: packedList(list, json),
        as: 'packed',
      },
      { expr: { kind: 'countStar' }, as: 'n' },
    ],
    from: { kind: 'subquery', query: counts, alias: 'counts' },
  };
}

/** Unpacks `packedDistinctCountsQuery`'s row; undefined when the JSON form must be read instead. */
export function unpackDistinctCounts(
  packed: string | null,
  n: number,
  json = false,
): { values: string[]; counts: number[] } | undefined {
  if (n === 0 || packed === null) return { values: [], counts: [] };
  if (json) {
    const rows = JSON.parse(packed) as { value: string; n: number }[];
    return { values: rows.map((r) => r.value), counts: rows.map((r) => Number(r.n)) };
  }
  const parts = packed.split(PACK_SEP);
  if (parts.length !== 2 * n) return undefined;
  const values = new Array<string>(n);
  const counts = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    values[i] = parts[2 * i]!;
    counts[i] = Number(parts[2 * i + 1]);
  }
  return { values, counts };
}
