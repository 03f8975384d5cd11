import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset, Recipe, Step } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
let ds: LoadedDataset;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '1GB', threads: 2 });
  async function* rows() {
    for (let i = 0; i < 50; i++) yield [i % 2 ? 'y' : 'ay', String(i)];
  }
  ds = await engine.importRows('rows', ['a', 'b'], rows());
});
afterAll(() => engine.close());

const recipe = (...steps: Step[]): Recipe => ({ version: 1, steps });
const Y = 'Y'.repeat(300);

describe('a replace that would grow a value past 16 MiB', () => {
  it('stops, naming the step and the column, before building it (literal, regex, ignoring case)', async () => {
    for (const third of [
      { op: 'replace', columns: ['a'], find: 'Y', replace: Y },
      { op: 'replace', columns: ['a'], find: 'Y', replace: Y, caseSensitive: false },
      { op: 'replace', columns: ['a'], find: '(Y)', replace: '\\1'.repeat(300), regex: true },
    ] as Step[]) {
      const grows = recipe(
        { op: 'replace', columns: ['a'], find: 'y', replace: Y },
        { op: 'replace', columns: ['a'], find: 'Y', replace: Y },
        third,
      );
      await expect(engine.run(ds, grows, { limit: 1 }), JSON.stringify(third)).rejects.toThrow(
        /replace in column "a": a value would grow past 16 MiB/,
      );
    }
  });

  it('makes values up to the limit as before', async () => {
    const big = recipe(
      { op: 'replace', columns: ['a'], find: 'y', replace: 'Y'.repeat(1000) },
      { op: 'replace', columns: ['a'], find: '(Y)', replace: '\\1'.repeat(1000), regex: true },
    );
    const { rows } = await engine.run(ds, big, { limit: 2 });
    expect(rows.map((r) => String(r[0]).length)).toEqual([1 + 1_000_000, 1_000_000]);
    const shrinks = recipe({ op: 'replace', columns: ['a'], find: 'y', replace: '' });
    expect((await engine.run(ds, shrinks, { limit: 2 })).rows.map((r) => r[0])).toEqual(['a', '']);
  });
});
