import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset, Recipe } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
let ds: LoadedDataset;
beforeAll(async () => {
  // Two threads: the grouping is parallel, and which of two equal keys it meets first varies.
  engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 2 });
  async function* rows() {
    yield ['a', '0'];
    for (let i = 2; i < 2100; i++) yield ['a', String(i)];
    yield ['a', '-0'];
  }
  ds = await engine.importRows('zeros', ['k', 'n'], rows());
});
afterAll(() => engine.close());

describe('dedupe-rows over whole rows', () => {
  it('keeps the first row’s own values when 0.0 and -0.0 count as equal, run after run', async () => {
    const recipe: Recipe = {
      version: 1,
      steps: [
        { op: 'sort-rows', by: [{ column: 'k' }] },
        { op: 'to-number', columns: ['n'] },
        { op: 'dedupe-rows' },
      ],
    };
    for (let run = 0; run < 6; run++) {
      const out = await engine.run(ds, recipe, { limit: 1 });
      expect(Object.is(out.rows[0]![1], 0), `run ${run}: ${String(out.rows[0]![1])}`).toBe(true);
    }
  });
});
