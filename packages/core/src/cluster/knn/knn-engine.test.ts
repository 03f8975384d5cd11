import { NodeEngine } from '@tidyvault/engine-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('NodeEngine.cluster with nearest-neighbour methods', () => {
  let engine: NodeEngine;
  beforeAll(async () => {
    engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 1 });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('clusters the distinct values of a column with levenshtein and ppm', async () => {
    const csv = 'name\nJonathan Smith\nJonathon Smith\nJonathan Smith\nMaria Garcia\nMaria Garcya\nPeter\n\n';
    const ds = await engine.loadCsv('n.csv', new TextEncoder().encode(csv));
    const lev = await engine.cluster(ds, 'name', 'levenshtein', { radius: 1 });
    expect(lev.clusters).toEqual([
      {
        values: [
          { value: 'Jonathan Smith', count: 2 },
          { value: 'Jonathon Smith', count: 1 },
        ],
        suggested: 'Jonathan Smith',
      },
      {
        values: [
          { value: 'Maria Garcia', count: 1 },
          { value: 'Maria Garcya', count: 1 },
        ],
        suggested: 'Maria Garcia',
      },
    ]);
    const tight = await engine.cluster(ds, 'name', 'levenshtein', { radius: 0 });
    expect(tight.clusters).toEqual([]);
    const ppm = await engine.cluster(ds, 'name', 'ppm', { radius: 2, blockingNgramSize: 3 });
    expect(ppm.clusters.map((c) => c.suggested)).toEqual(['Jonathan Smith', 'Maria Garcia']);
    await engine.drop(ds);
  });
});
