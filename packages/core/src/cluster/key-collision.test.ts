import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../text/code-points.js';
import { keyCollisionClusters, unpackDistinctCounts } from './key-collision.js';
import { fingerprint } from './keyers/fingerprint.js';

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

  it('agrees with a plain Map-and-sort reference on random values and counts', () => {
    // the reference: group by key, keep groups of two or more, sort with Array.prototype.sort
    const reference = (values: string[], counts: number[]) => {
      const groups = new Map<string, { value: string; count: number }[]>();
      values.forEach((value, i) => {
        const k = fingerprint(value);
        groups.set(k, [...(groups.get(k) ?? []), { value, count: counts[i]! }]);
      });
      return [...groups.values()]
        .filter((g) => g.length > 1)
        .map((g) => {
          const vs = [...g].sort((a, b) => b.count - a.count || compareCodePoints(a.value, b.value));
          return { values: vs, suggested: vs[0]!.value };
        })
        .sort(
          (a, b) =>
            b.values.length - a.values.length ||
            b.values.reduce((t, v) => t + v.count, 0) - a.values.reduce((t, v) => t + v.count, 0) ||
            compareCodePoints(a.suggested, b.suggested),
        );
    };
    const word = fc.constantFrom('a', 'A', 'b', 'é', 'E', ' ', '.', '\uFFFD', '\uD83D\uDE00', 'x y', 'y x');
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.array(word, { maxLength: 4 }).map((w) => w.join('')),
          { maxLength: 60 },
        ),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 60, maxLength: 60 }),
        (values, counts) => {
          const c = counts.slice(0, values.length);
          expect(keyCollisionClusters(values, c, 'fingerprint', undefined)).toEqual(reference(values, c));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('unpacks distinct values: counts only where more than one row; JSON when a value holds a separator', () => {
    expect(unpackDistinctCounts('a\x1E2\x1Fb\x1Fc\x1E10', 3)).toEqual({
      values: ['a', 'b', 'c'],
      counts: [2, 1, 10],
    });
    expect(unpackDistinctCounts('', 1)).toEqual({ values: [''], counts: [1] });
    expect(unpackDistinctCounts('a\x1Fb', 1)).toBeUndefined();
    expect(unpackDistinctCounts(null, 2)).toBeUndefined(); // the query saw a separator in a value
    expect(unpackDistinctCounts('[{"value":"a\\u001fb","n":2}]', 1, true)).toEqual({
      values: ['a\x1Fb'],
      counts: [2],
    });
    expect(unpackDistinctCounts(null, 0)).toEqual({ values: [], counts: [] });
  });
});
