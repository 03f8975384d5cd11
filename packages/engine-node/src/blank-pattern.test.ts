import { afterAll, beforeAll, expect, it } from 'vitest';
import { BLANK_PATTERN, type LoadedDataset } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
let ds: LoadedDataset;
beforeAll(async () => {
  engine = await NodeEngine.open({ threads: 1 });
  async function* rows() {
    for (const v of ['', '  ', '\u00a0\u3000', '\t\n', 'x', ' x ', null]) yield [v];
  }
  ds = await engine.importRows('rows', ['v'], rows());
});
afterAll(() => engine.close());

it('the blank condition (the web blank facet) keeps exactly the cells the profile counts as blank or null', async () => {
  const [column] = (await engine.profile(ds)).columns;
  const where = {
    or: [
      { column: 'v', op: 'is-null' },
      { column: 'v', op: 'matches', value: BLANK_PATTERN },
    ],
  };
  const { rows } = await engine.run(ds, { version: 1, steps: [{ op: 'filter-rows', where } as never] });
  expect(rows.map((r) => r[0])).toEqual(['', '  ', '\u00a0\u3000', '\t\n', null]);
  expect(rows).toHaveLength(column!.blanks + column!.nulls);
});
