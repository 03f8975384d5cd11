import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyCollisionClusters, unpackDistinctCounts } from './key-collision.js';

interface BinningCase {
  method: 'fingerprint';
  values: string[];
  clusters: { value: string; count: number }[][];
}
const vectors = JSON.parse(
  fs.readFileSync(new URL('../../../../fixtures/cluster/openrefine-keyers.json', import.meta.url), 'utf8'),
) as { 'binning-clusterer': { cases: BinningCase[] } };

function counted(values: string[]): { values: string[]; counts: number[] } {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return { values: [...m.keys()], counts: [...m.values()] };
}

describe('key-collision clusters', () => {
  it.each(vectors['binning-clusterer'].cases)("OpenRefine's BinningClustererTests: %j", (c) => {
    const { values, counts } = counted(c.values);
    const got = keyCollisionClusters(values, counts, c.method, undefined);
    // OpenRefine lists equal-sized clusters in hash order; compare them as a set
    expect(got.map((x) => x.values)).toEqual(expect.arrayContaining(c.clusters));
    expect(got).toHaveLength(c.clusters.length);
  });

  it('orders values by count then code point, clusters by size, rows, suggested value', () => {
    const { values, counts } = counted(
      ['b', 'B', 'B', 'x y', 'y x', 'Y X', 'Y X', 'é', 'e', 'E', 'ﬀ', 'ff', 'lonely', ''].concat([
        '\uD83D\uDE00 \uFFFD',
        '\uFFFD \uD83D\uDE00',
      ]),
    );
    const v = (value: string, count = 1) => ({ value, count });
    expect(keyCollisionClusters(values, counts, 'fingerprint', undefined)).toEqual([
      { values: [v('Y X', 2), v('x y'), v('y x')], suggested: 'Y X' },
      { values: [v('E'), v('e'), v('é')], suggested: 'E' },
      { values: [v('B', 2), v('b')], suggested: 'B' },
      { values: [v('ff'), v('ﬀ')], suggested: 'ff' },
      // code point order puts U+FFFD before U+1F600 (UTF-16 order would not)
      { values: [v('\uFFFD \uD83D\uDE00'), v('\uD83D\uDE00 \uFFFD')], suggested: '\uFFFD \uD83D\uDE00' },
    ]);
  });

  it('packs and unpacks distinct values; a separator inside a value asks for the JSON form', () => {
    expect(unpackDistinctCounts('a\x1F2\x1Fb\x1F1', 2)).toEqual({ values: ['a', 'b'], counts: [2, 1] });
    expect(unpackDistinctCounts('a\x1Fb\x1F2', 1)).toBeUndefined();
    expect(unpackDistinctCounts('[{"value":"a\\u001fb","n":2}]', 1, true)).toEqual({
      values: ['a\x1Fb'],
      counts: [2],
    });
    expect(unpackDistinctCounts(null, 0)).toEqual({ values: [], counts: [] });
  });
});
