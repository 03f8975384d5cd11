import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset, Recipe, Step } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-growth-'));
let engine: NodeEngine;
let ds: LoadedDataset;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '1GB', threads: 2, allowedDirectories: [OUT] });
  async function* rows() {
    for (let i = 0; i < 50; i++) yield [i % 2 ? 'y' : 'ay', String(i)];
  }
  ds = await engine.importRows('rows', ['a', 'b'], rows());
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(OUT, { recursive: true, force: true });
});

const recipe = (...steps: Step[]): Recipe => ({ version: 1, steps });
const Y = 'Y'.repeat(300);
async function* rowsOf(...values: string[]) {
  for (const v of values) yield [v];
}

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
        /step 3 \(replace\), column "a": a value would grow past 16 MiB/,
      );
    }
    // The column is the error's own field too (the server's 422 names it), a quote in its name included.
    const quoted = await engine.importRows('q', ['say "a"'], rowsOf('y'));
    const named = recipe(
      { op: 'replace', columns: ['say "a"'], find: 'y', replace: Y },
      { op: 'replace', columns: ['say "a"'], find: 'Y', replace: Y },
      { op: 'replace', columns: ['say "a"'], find: 'Y', replace: Y },
    );
    await expect(engine.run(quoted, named, { limit: 1 })).rejects.toMatchObject({
      code: 'EXECUTION',
      location: { column: 'say "a"', step: { index: 3, op: 'replace' } },
    });
  });

  it('is a recipe error (422 in the server), not a crash, when a profile or a clustering meets it', async () => {
    const grows = recipe(
      { op: 'replace', columns: ['a'], find: 'y', replace: Y },
      { op: 'replace', columns: ['a'], find: 'Y', replace: Y },
      { op: 'replace', columns: ['a'], find: 'Y', replace: Y },
    );
    const failure = { code: 'EXECUTION', message: expect.stringMatching(/a value would grow past 16 MiB/) };
    await expect(engine.profile(ds, grows)).rejects.toMatchObject(failure);
    await expect(engine.cluster(ds, 'a', 'fingerprint', {}, grows)).rejects.toMatchObject(failure);
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

describe('merges that would make a value longer than 16 MiB', () => {
  it('stop, naming the step and the column, while shorter merges are made as before', async () => {
    const merge = (columns: string[], into: string): Step => ({
      op: 'merge-columns',
      columns,
      separator: '-',
      into,
    });
    const steps: Step[] = [
      { op: 'replace', columns: ['a'], find: 'y', replace: 'Y'.repeat(3 * 2 ** 20) },
      merge(['a', 'b'], 'm1'),
      merge(['m1', 'a'], 'm2'),
      merge(['m2', 'm1'], 'm3'),
      merge(['m3', 'm2'], 'm4'),
    ];
    // One row: each holds 36 MB here.
    async function* one() {
      yield ['y', '1'];
    }
    const single = await engine.importRows('one', ['a', 'b'], one());
    const { rows, columns } = await engine.run(single, recipe(...steps), { limit: 1 });
    const m4 = String(rows[0]![columns.findIndex((c) => c.name === 'm4')]);
    expect(m4.length).toBeGreaterThan(15 * 2 ** 20);
    expect(m4.length).toBeLessThan(16 * 2 ** 20);
    await expect(
      engine.run(single, recipe(...steps, merge(['m4', 'm1'], 'm5')), { limit: 1 }),
    ).rejects.toThrow(/step 6 \(merge-columns\), column "m5": a value would grow past 16 MiB/);
  });
});

describe('a join-rows that would make a value longer than 16 MiB', () => {
  it('stops, naming the step and the column; the same rows joined in smaller groups are made', async () => {
    // 20 rows of 1 MiB: one group would join 20 MiB; groups of ten join 10 MiB each.
    async function* rows() {
      for (let i = 0; i < 20; i++) yield ['k', String(i % 2), 'v'.repeat(2 ** 20)];
    }
    const many = await engine.importRows('many', ['key', 'half', 'v'], rows());
    const join = (by: string[]): Step => ({ op: 'join-rows', column: 'v', separator: ',', by });
    await expect(engine.run(many, recipe(join(['key'])), { limit: 1 })).rejects.toThrow(
      /step 1 \(join-rows\), column "v": a value would grow past 16 MiB/,
    );
    const { rows: halves } = await engine.run(many, recipe(join(['key', 'half'])));
    expect(halves.map((r) => String(r[2]).length)).toEqual([10 * 2 ** 20 + 9, 10 * 2 ** 20 + 9]);
  });
});

describe('errors after a cluster-merge that is not the first step', () => {
  it('name the step as the user counts it in an export, as a run does (the staged table counts too)', async () => {
    async function* rows() {
      yield ['x'.repeat(200)];
      yield ['y'];
    }
    const data = await engine.importRows('xs', ['a'], rows());
    const grows = recipe(
      { op: 'trim' },
      { op: 'cluster-merge', column: 'a', method: 'fingerprint' },
      { op: 'replace', columns: ['a'], find: 'x', replace: 'y'.repeat(100_000) },
    );
    const named = { code: 'EXECUTION', location: { step: { index: 3, op: 'replace' } } };
    await expect(engine.run(data, grows)).rejects.toMatchObject(named);
    const file = path.join(OUT, 'out.csv');
    try {
      await expect(engine.export(data, grows, file, { format: 'csv', formulaGuard: true })).rejects.toThrow(
        /step 3 \(replace\), column "a"/,
      );
      await expect(
        engine.export(data, grows, file, { format: 'csv', formulaGuard: true }),
      ).rejects.toMatchObject(named);
    } finally {
      fs.rmSync(file, { force: true });
    }
    await expect(
      engine.exportRows(data, grows, async (_c, all) => {
        for await (const _ of all);
      }),
    ).rejects.toMatchObject(named);
  });

  it('a profile checks the recipe first, naming the step and the field', async () => {
    await expect(
      engine.profile(ds, recipe({ op: 'replace', columns: ['a'], find: '(', replace: '', regex: true })),
    ).rejects.toMatchObject({ code: 'RECIPE_PARAM', location: { step: { index: 1, op: 'replace' } } });
  });
});
