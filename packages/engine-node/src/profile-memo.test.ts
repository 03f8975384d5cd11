import { parseRecipe, ProfileMemo, type Recipe } from '@tidyvault/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGoldenCases } from './conformance/golden-cases.js';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '1GB', threads: 2 });
});
afterAll(async () => {
  await engine.close();
});

const cases = loadGoldenCases().filter((c) => !c.expectedError);
const encode = (text: string) => new TextEncoder().encode(text);

describe('profiles carried over from the state before (as the workbench asks: after every step)', () => {
  let reused = 0;
  for (const c of cases) {
    it(`${c.name}: every step's profile equals one made from scratch`, async () => {
      const dataset = await engine.loadCsv(`${c.name}.csv`, c.inputCsv);
      try {
        const recipe = parseRecipe(c.recipe);
        const memo = new ProfileMemo(dataset.columns);
        for (let n = 0; n <= recipe.steps.length; n++) {
          const prefix: Recipe = { version: 1, steps: recipe.steps.slice(0, n) };
          const asked: (string[] | undefined)[] = [];
          const carried = await memo.get(prefix, (columns) => {
            asked.push(columns);
            return engine.profile(dataset, prefix, 10, { columns });
          });
          expect(carried, `after step ${n}`).toEqual(await engine.profile(dataset, prefix));
          if (asked.length === 0 || asked[0] !== undefined) reused++;
        }
      } finally {
        await engine.drop(dataset);
      }
    });
  }

  it('carried some columns over (the cases above tested something)', () => {
    expect(reused).toBeGreaterThan(cases.length);
  });

  it('reprofiles only the changed column after a trim, none after a sort, all after a filter', async () => {
    const dataset = await engine.loadCsv('t.csv', encode('a,b,c\n x,1,p\ny ,2,q\nz,3,r\n'));
    const memo = new ProfileMemo(dataset.columns);
    const asked: (string[] | undefined)[] = [];
    const at = (steps: Recipe['steps']) =>
      memo.get({ version: 1, steps }, (columns) => {
        asked.push(columns);
        return engine.profile(dataset, { version: 1, steps }, 10, { columns });
      });
    const trim = { op: 'trim', columns: ['a'] } as const;
    const sort = { op: 'sort-rows', by: [{ column: 'b', desc: true }] } as const;
    const filter = { op: 'filter-rows', where: { column: 'b', op: 'neq', value: '2' } } as const;
    const merge = { op: 'cluster-merge', column: 'c', method: 'fingerprint' } as const;
    await at([]);
    expect((await at([trim])).columns[0]!.padded).toBe(0);
    await at([trim, sort]);
    await at([trim, sort, merge]);
    expect((await at([trim, sort, merge, filter])).rows).toBe(2);
    expect(asked).toEqual([undefined, ['a'], ['c'], undefined]);
    await engine.drop(dataset);
  });

  it('an unknown column is refused by name', async () => {
    const dataset = await engine.loadCsv('u.csv', encode('a\n1\n'));
    await expect(engine.profile(dataset, undefined, 10, { columns: ['nope'] })).rejects.toThrow(/"nope"/);
    await engine.drop(dataset);
  });
});
