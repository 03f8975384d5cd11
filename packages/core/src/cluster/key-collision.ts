import { col, type Expr, type Select } from '@tidyvault/sql';
import { PACK_SEP, packedList } from './packed-list.js';
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
 *
 * Built for a million values: keys are grouped in an open-addressing table of value indices
 * (a JS Map of a million strings costs twice as much), only the first value of each key keeps
 * its key, and groups are chains of indices in typed arrays until the clusters are made.
 */
export function keyCollisionClusters(
  values: readonly string[],
  counts: readonly number[],
  method: ClusterMethod,
  params: ClusterParams,
): Cluster[] {
  const keyer = keyerFor(method, params);
  const n = values.length;
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1); // slot → index of the first value with that key
  const firstKeys = new Array<string | undefined>(n); // only first values keep their key
  const next = new Int32Array(n).fill(-1); // chain of the values of one key, in input order
  const last = new Int32Array(n); // first value → last value of its chain
  const sizes = new Int32Array(n); // first value → number of values
  const firsts: number[] = []; // first values of keys with two values or more
  for (let i = 0; i < n; i++) {
    const k = keyer(values[i]!);
    let h = 0x811c9dc5; // FNV-1a over UTF-16 units
    for (let j = 0; j < k.length; j++) h = Math.imul(h ^ k.charCodeAt(j), 0x01000193);
    let slot = h & mask;
    for (;;) {
      const f = table[slot]!;
      if (f < 0) {
        table[slot] = i;
        firstKeys[i] = k;
        last[i] = i;
        sizes[i] = 1;
        break;
      }
      if (firstKeys[f] === k) {
        next[last[f]!] = i;
        last[f] = i;
        if (++sizes[f]! === 2) firsts.push(f);
        break;
      }
      slot = (slot + 1) & mask;
    }
  }

  const m = firsts.length;
  const made: Cluster[] = new Array<Cluster>(m);
  const sizesOf = new Int32Array(m);
  const totals = new Float64Array(m);
  const surrogates = new Uint8Array(m);
  const members: number[] = [];
  for (let c = 0; c < m; c++) {
    // the key's values by count (most first), then code point: an insertion sort, groups are small
    let size = 0;
    for (let i = firsts[c]!; i >= 0; i = next[i]!) {
      let j = size++ - 1;
      while (j >= 0) {
        const o = members[j]!;
        if (counts[o]! > counts[i]! || (counts[o] === counts[i] && byCodePoint(values[o]!, values[i]!) < 0))
          break;
        members[j + 1] = o;
        j--;
      }
      members[j + 1] = i;
    }
    const vs = new Array<{ value: string; count: number }>(size);
    let total = 0;
    for (let j = 0; j < size; j++) {
      const i = members[j]!;
      vs[j] = { value: values[i]!, count: counts[i]! };
      total += counts[i]!;
    }
    const suggested = vs[0]!.value;
    made[c] = { values: vs, suggested };
    sizesOf[c] = size;
    totals[c] = total;
    surrogates[c] = SURROGATE.test(suggested) ? 1 : 0;
  }
  const order = Array.from({ length: m }, (_, c) => c);
  // JS's `<` is UTF-16 order, which is code point order unless a surrogate is involved
  order.sort((a, b) => {
    const bySize = sizesOf[b]! - sizesOf[a]! || totals[b]! - totals[a]!;
    if (bySize !== 0) return bySize;
    const x = made[a]!.suggested;
    const y = made[b]!.suggested;
    if (surrogates[a]! || surrogates[b]!) return byCodePoint(x, y);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return order.map((c) => made[c]!);
}

/** Marks a row count in packedDistinctCountsQuery's text (U+001E). */
const COUNT_MARK = '\x1E';

/**
 * Distinct values (as text) of `column` in `source` with their row counts, packed into one row
 * so that reading a million of them costs one string, not a million values:
 * `packed` = the values joined by U+001F, each value seen on more than one row followed by
 * U+001E and its row count (most values of a large column are seen once: no count to write,
 * read or parse); `n` = number of values. When a value itself contains U+001E or U+001F the
 * packed text would be ambiguous: `packed` is then NULL and the caller reads the `json` form
 * instead, `[{"value": .., "n": ..}, …]`. See `unpackDistinctCounts`.
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
  const chr = (code: number): Expr => ({ kind: 'call', fn: 'chr', args: [{ kind: 'literal', value: code }] });
  const contains = (code: number): Expr => ({
    kind: 'call',
    fn: 'contains',
    args: [col('value'), chr(code)],
  });
  const packed: Expr = json
    ? packedList(
        {
          kind: 'call',
          fn: 'list',
          args: [
            {
              kind: 'struct',
              fields: [
                { name: 'value', value: col('value') },
                { name: 'n', value: col('n') },
              ],
            },
          ],
        },
        true,
      )
    : {
        kind: 'case',
        whens: [
          {
            when: {
              kind: 'call',
              fn: 'max',
              args: [{ kind: 'binary', op: 'OR', left: contains(0x1e), right: contains(0x1f) }],
            },
            then: { kind: 'literal', value: null },
          },
        ],
        else: packedList(
          {
            kind: 'call',
            fn: 'list',
            args: [
              {
                kind: 'case',
                whens: [
                  {
                    when: { kind: 'binary', op: '=', left: col('n'), right: { kind: 'literal', value: 1 } },
                    then: col('value'),
                  },
                ],
                else: { kind: 'call', fn: 'concat', args: [col('value'), chr(0x1e), col('n')] },
              },
            ],
          },
          false,
        ),
      };
  return {
    kind: 'select',
    columns: [
      { expr: packed, as: 'packed' },
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
  if (n === 0) return { values: [], counts: [] };
  if (packed === null) return undefined;
  if (json) {
    const rows = JSON.parse(packed) as { value: string; n: number }[];
    return { values: rows.map((r) => r.value), counts: rows.map((r) => Number(r.n)) };
  }
  const values = packed.split(PACK_SEP);
  if (values.length !== n) return undefined;
  const counts = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const mark = v.indexOf(COUNT_MARK);
    if (mark < 0) counts[i] = 1;
    else {
      counts[i] = Number(v.slice(mark + 1));
      values[i] = v.slice(0, mark);
    }
  }
  return { values, counts };
}
