import type { LoadedDataset } from '@tidyvault/core';
import { NodeEngine, findDuplicates } from '@tidyvault/engine-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowCounts } from './count.js';
import { facet } from './facet.js';
import { histogram } from './histogram.js';

// Facets, histograms, counts and duplicate candidates build their own query on the recipe's
// output: a cluster-merge step in it needs its key table filled first, even when nothing else
// (a grid page, a run) has filled it yet.
const recipe = {
  version: 1 as const,
  steps: [{ op: 'cluster-merge' as const, column: 'company', method: 'fingerprint' as const }],
};
const CSV = 'company,n\nAcme Inc,1\nacme inc.,2\nInc Acme,3\nGlobex,4\n';

describe('reads on a recipe with a cluster-merge step, before anything else ran it', () => {
  let engine: NodeEngine;
  let data: LoadedDataset;
  beforeEach(async () => {
    engine = await NodeEngine.open();
    data = await engine.loadCsv('companies.csv', new TextEncoder().encode(CSV));
  });
  afterEach(() => engine.close());

  it('facet counts the merged values', async () => {
    expect((await facet(engine, data, recipe, 'company', 10)).values).toEqual([
      { value: 'Acme Inc', count: 3 },
      { value: 'Globex', count: 1 },
    ]);
  });

  it('histogram of lengths sees the merged values', async () => {
    const h = await histogram(engine, data, recipe, 'company', 30, 'length');
    expect(h.bins.map((b) => [b.from, b.count]).filter(([, n]) => n! > 0)).toEqual([
      [6, 1],
      [8, 3],
    ]);
  });

  it('row count', async () => {
    const withFilter = {
      version: 1 as const,
      steps: [
        ...recipe.steps,
        { op: 'filter-rows' as const, where: { column: 'company', op: 'eq' as const, value: 'Acme Inc' } },
      ],
    };
    expect(await new RowCounts().count(engine, data, withFilter)).toBe(3);
  });

  it('duplicate candidates', async () => {
    const answer = await findDuplicates(
      engine,
      data,
      recipe,
      ['company'],
      { threshold: 0.8 },
      new AbortController().signal,
    );
    // Three spellings merged into one: two distinct values, and the three rows exact duplicates.
    expect(answer).toMatchObject({ tuples: 2, groups: [{ score: 1, keys: [['Acme Inc']], counts: [3] }] });
  });
});

describe('reads on a recipe with a nearest-neighbour cluster-merge step', () => {
  const knn = {
    version: 1 as const,
    steps: [
      { op: 'trim' as const, columns: ['company'] },
      { op: 'cluster-merge' as const, column: 'company', method: 'levenshtein' as const },
    ],
  };
  let engine: NodeEngine;
  beforeEach(async () => {
    engine = await NodeEngine.open();
  });
  afterEach(() => engine.close());

  it('each dataset is clustered on its own values, also after the other was read', async () => {
    const a = await engine.loadCsv(
      'a.csv',
      new TextEncoder().encode('company\nAcme Inc\n Acme Inc\nAcme Inx\nGlobex\n'),
    );
    const b = await engine.loadCsv(
      'b.csv',
      new TextEncoder().encode('company\nAcme Inx\nAcme Inx\nAcme Inc\n'),
    );
    expect((await facet(engine, a, knn, 'company', 10)).values).toEqual([
      { value: 'Acme Inc', count: 3 },
      { value: 'Globex', count: 1 },
    ]);
    // Same recipe, other values: here "Acme Inx" is the most frequent spelling.
    expect((await facet(engine, b, knn, 'company', 10)).values).toEqual([{ value: 'Acme Inx', count: 3 }]);
    expect((await engine.run(a, knn)).rows.map((r) => r[0])).toEqual([
      'Acme Inc',
      'Acme Inc',
      'Acme Inc',
      'Globex',
    ]);
    // Dropping a dataset drops the map tables; the next read makes them again.
    await engine.drop(b);
    expect(await new RowCounts().count(engine, a, knn)).toBe(4);
    expect((await facet(engine, a, knn, 'company', 10)).values[0]).toEqual({ value: 'Acme Inc', count: 3 });
  });
});
