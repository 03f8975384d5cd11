import { select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import { compileRecipe } from '../compile/compile.js';
import { parseRecipe } from '../recipe/parse.js';
import { clusterKeyNeeds, clusterKeyTablesNote } from './key-table.js';
import { withSortedKeys } from '../text/sorted-keys.js';
import { knnMapTable, knnMergeMap, textHash } from './knn-map.js';

const merge = { column: 'v', method: 'levenshtein' as const };

describe('knnMergeMap', () => {
  it('puts a value listed in several clusters in the first listed (the largest)', async () => {
    // A chain at distance 1: aaaa–aaab–aabb–abbb–bbbb. Clusters (one per value, with its
    // neighbours), largest first: {aaaa, aaab, aabb} and {bbbb, aabb, abbb} (12 rows each; the
    // first by its values), {aabb, aaab, abbb}, then the pairs. aabb, in both of the first two,
    // joins the first.
    const map = await knnMergeMap(
      [
        { value: 'aaaa', count: 10 },
        { value: 'aaab', count: 1 },
        { value: 'aabb', count: 1 },
        { value: 'abbb', count: 1 },
        { value: 'bbbb', count: 10 },
        { value: 'zzzzzz', count: 4 },
      ],
      'levenshtein',
      { blockingNgramSize: 1 },
    );
    const joined = Object.fromEntries(map.values.map((v, i) => [v, map.keys[i]]));
    expect(joined).toEqual({ aaaa: '0', aaab: '0', aabb: '0', bbbb: '1', abbb: '1' });
  });

  it('leaves out every value when nothing is near', async () => {
    const map = await knnMergeMap(
      [
        { value: 'apple', count: 1 },
        { value: 'zebra', count: 1 },
      ],
      'levenshtein',
      undefined,
    );
    expect(map).toEqual({ values: [], keys: [] });
  });
});

describe('knnMapTable', () => {
  const name = (source: string, before: unknown[], p?: object) =>
    knnMapTable(source, before, { ...merge, ...(p ? { params: p } : {}) });

  it('names one table per input and step, and the same one for the same input and step', () => {
    const trim = { op: 'trim', columns: ['v'] };
    expect(name('dataset_1', [trim])).toBe(name('dataset_1', [{ columns: ['v'], op: 'trim' }]));
    expect(name('dataset_1', [trim])).toMatch(/^cluster_map_levenshtein_[0-9a-f]{32}$/);
    const others = [
      name('dataset_2', [trim]),
      name('dataset_1', []),
      name('dataset_1', [trim], { radius: 2 }),
      knnMapTable('dataset_1', [trim], { ...merge, column: 'w' }),
      knnMapTable('dataset_1', [trim], { ...merge, method: 'ppm' }),
    ];
    expect(new Set([name('dataset_1', [trim]), ...others]).size).toBe(6);
  });

  it('is the table the compiled step reads and the one the engine is asked to fill', () => {
    const recipe = parseRecipe({
      version: 1,
      steps: [
        { op: 'trim', columns: ['v'] },
        { op: 'cluster-merge', column: 'v', method: 'levenshtein' },
        { op: 'cluster-merge', column: 'v', method: 'ppm', params: { radius: 2 } },
      ],
    });
    const needs = clusterKeyNeeds(recipe, undefined, 'dataset_7');
    expect(needs.map((n) => [n.stepIndex, n.map])).toEqual([
      [1, true],
      [2, true],
    ]);
    const sql = select(compileRecipe(recipe, 'dataset_7', [{ name: 'v', type: 'text' }]).query);
    for (const n of needs) expect(sql).toContain(`INNER JOIN "${n.table}"`);
    // Up to the first merge only: that merge's table is the same.
    expect(clusterKeyNeeds(recipe, 2, 'dataset_7')[0]!.table).toBe(needs[0]!.table);
    expect(clusterKeyTablesNote(recipe)).toContain('the ppm clusters of "v" as step 3 receives it');
  });
});

describe('withSortedKeys and textHash', () => {
  it('writes keys in order and drops undefined', () => {
    expect(JSON.stringify(withSortedKeys({ b: 1, a: [{ d: undefined, c: 'x' }, null] }))).toBe(
      '{"a":[{"c":"x"},null],"b":1}',
    );
  });

  it('gives 32 hex digits that differ for texts that differ in one character', () => {
    expect(textHash('abc')).toMatch(/^[0-9a-f]{32}$/);
    expect(textHash('abc')).toBe(textHash('abc'));
    expect(textHash('abc')).not.toBe(textHash('abd'));
    expect(textHash('')).not.toBe(textHash('\u0000'));
  });
});
