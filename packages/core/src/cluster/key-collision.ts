import { col, type Expr, type Select } from '@tidyvault/sql';
import { compareCodePoints as byCodePoint } from '../text/code-points.js';
import type { Cluster } from './cluster-query.js';
import { keyerFor } from './keyers/index.js';
import type { ClusterMethod, ClusterParams } from './methods.js';

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
  const first = new Map<string, number>();
  const groups = new Map<string, number[]>();
  for (let i = 0; i < values.length; i++) {
    const k = keyer(values[i]!);
    const f = first.get(k);
    if (f === undefined) first.set(k, i);
    else {
      const g = groups.get(k);
      if (g) g.push(i);
      else groups.set(k, [f, i]);
    }
  }
  const clusters: (Cluster & { total: number })[] = [];
  for (const members of groups.values()) {
    const vs = members.map((i) => ({ value: values[i]!, count: counts[i]! }));
    vs.sort((a, b) => b.count - a.count || byCodePoint(a.value, b.value));
    clusters.push({ values: vs, suggested: vs[0]!.value, total: vs.reduce((s, v) => s + v.count, 0) });
  }
  clusters.sort(
    (a, b) => b.values.length - a.values.length || b.total - a.total || byCodePoint(a.suggested, b.suggested),
  );
  return clusters.map(({ values: v, suggested }) => ({ values: v, suggested }));
}

const SEP = '\x1F';

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
  const sep: Expr = { kind: 'call', fn: 'chr', args: [{ kind: 'literal', value: 31 }] };
  const item: Expr = json
    ? {
        kind: 'struct',
        fields: [
          { name: 'value', value: col('value') },
          { name: 'n', value: col('n') },
        ],
      }
    : { kind: 'call', fn: 'concat', args: [col('value'), sep, col('n')] };
  const list: Expr = { kind: 'call', fn: 'list', args: [item] };
  return {
    kind: 'select',
    columns: [
      {
        expr: json
          ? { kind: 'cast', to: 'VARCHAR', expr: { kind: 'call', fn: 'to_json', args: [list] } }
          : { kind: 'call', fn: 'array_to_string', args: [list, sep] },
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
  const parts = packed.split(SEP);
  if (parts.length !== 2 * n) return undefined;
  const values = new Array<string>(n);
  const counts = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    values[i] = parts[2 * i]!;
    counts[i] = Number(parts[2 * i + 1]);
  }
  return { values, counts };
}
