import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
let ds: LoadedDataset;
const PARTS = 100_000;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 1 });
  async function* rows() {
    yield ['a', 'x;'.repeat(PARTS - 1) + 'x'];
    yield ['b', null];
    yield ['c', ''];
  }
  ds = await engine.importRows('tags', ['id', 'tags'], rows());
});
afterAll(() => engine.close());

describe('split-rows of a long multi-valued cell', () => {
  it('makes one row per part without copying the whole value to each (200 kB × 100,000 rows would be 20 GB)', async () => {
    const out = await engine.run(ds, {
      version: 1,
      steps: [{ op: 'split-rows', column: 'tags', separator: ';' }],
    });
    expect(out.rows.length).toBe(PARTS + 2);
    expect(out.rows.slice(0, 2)).toEqual([
      ['a', 'x'],
      ['a', 'x'],
    ]);
    expect(out.rows.slice(-2)).toEqual([
      ['b', null],
      ['c', ''],
    ]);
  });
});
