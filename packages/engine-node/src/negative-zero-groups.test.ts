import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset, Recipe } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

// -0.0 and 0.0 are one group: which of them a group's value shows must be its first row's, run
// after run, not whichever the parallel grouping met first (DuckDB-WASM, on one thread, always
// shows the first row's).
let engine: NodeEngine;
let ds: LoadedDataset;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 2 });
  async function* rows() {
    yield ['-0', 'a'];
    for (let i = 1; i < 400_000; i++) yield ['0', i % 7 === 0 ? '' : 'b'];
    yield ['', 'last'];
  }
  ds = await engine.importRows('zeros', ['k', 't'], rows());
});
afterAll(() => engine.close());

const isNegativeZero = (v: unknown) => Object.is(v, -0);

describe('a group of -0.0 and 0.0', () => {
  it('joined by join-rows keeps the first row’s -0.0 as its key', async () => {
    const recipe: Recipe = {
      version: 1,
      steps: [
        { op: 'to-number', columns: ['k'] },
        { op: 'join-rows', column: 't', by: ['k'], separator: '' },
      ],
    };
    for (let run = 0; run < 6; run++) {
      const out = await engine.run(ds, recipe, { limit: 1 });
      expect(isNegativeZero(out.rows[0]![0]), `run ${run}: ${String(out.rows[0]![0])}`).toBe(true);
    }
  });

  it('as the mode fill-null fills with is the first row’s -0.0', async () => {
    const recipe: Recipe = {
      version: 1,
      steps: [
        { op: 'to-number', columns: ['k'] },
        { op: 'fill-null', columns: ['k'], strategy: 'mode' },
        { op: 'filter-rows', where: { column: 't', op: 'eq', value: 'last' } },
      ],
    };
    for (let run = 0; run < 6; run++) {
      const out = await engine.run(ds, recipe);
      expect(isNegativeZero(out.rows[0]![0]), `run ${run}: ${String(out.rows[0]![0])}`).toBe(true);
    }
  });
});
