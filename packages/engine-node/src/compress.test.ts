import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset, Recipe } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

const ROWS = 200_000;
const CSV = ['name,city,note']
  .concat(Array.from({ length: ROWS }, (_, i) => `  Person ${i % 5000} ,City ${i % 40},note number ${i}`))
  .join('\n');
const RECIPE: Recipe = {
  version: 1,
  steps: [
    { op: 'trim', columns: ['name'] },
    { op: 'sort-rows', by: [{ column: 'city', desc: true }] },
  ],
} as Recipe;

const tableBytes = async (engine: NodeEngine) =>
  (await engine.memoryUsage()).find((r) => r.tag === 'IN_MEMORY_TABLE')?.memoryBytes ?? 0;

let plain: NodeEngine;
let compressed: NodeEngine;
let onPlain: LoadedDataset;
let onCompressed: LoadedDataset;

beforeAll(async () => {
  plain = await NodeEngine.open({ threads: 2, memoryLimit: '1GB' });
  compressed = await NodeEngine.open({ threads: 2, memoryLimit: '1GB', compressTables: true });
  onPlain = await plain.loadCsv('people.csv', Buffer.from(CSV));
  onCompressed = await compressed.loadCsv('people.csv', Buffer.from(CSV));
});
afterAll(async () => {
  await plain.close();
  await compressed.close();
});

describe('compressTables', () => {
  it('compact() shrinks what the tables hold in memory to under half', async () => {
    const before = await tableBytes(compressed);
    expect(before).toBeGreaterThan(0);
    await compressed.compact();
    expect(await tableBytes(compressed)).toBeLessThan(before / 2);
  });

  it('gives the same rows, pages and profile as an engine without it, compacted or not', async () => {
    await compressed.compact();
    expect(await compressed.run(onCompressed, RECIPE)).toEqual(await plain.run(onPlain, RECIPE));
    expect(await compressed.run(onCompressed, RECIPE, { offset: 123_456, limit: 50 })).toEqual(
      await plain.run(onPlain, RECIPE, { offset: 123_456, limit: 50 }),
    );
    expect(await compressed.profile(onCompressed, RECIPE)).toEqual(await plain.profile(onPlain, RECIPE));
  });

  it('side connections see the same tables', async () => {
    const side = await compressed.connect();
    try {
      const r = await side.runAndReadAll(`SELECT count(*) FROM "${onCompressed.table}"`);
      expect(Number(r.getRowsJson()[0]![0])).toBe(ROWS);
    } finally {
      side.closeSync();
    }
  });

  it('keeps everything in memory: no file appears in the folders DuckDB may use', async () => {
    const staging = compressed.staging.dir;
    const before = { staging: fs.readdirSync(staging), cwd: fs.readdirSync(process.cwd()) };
    await compressed.materialise(onCompressed, RECIPE, 'compress_state');
    await compressed.compact();
    expect({ staging: fs.readdirSync(staging), cwd: fs.readdirSync(process.cwd()) }).toEqual(before);
  });

  it('compact() does nothing on an engine without it', async () => {
    const before = await tableBytes(plain);
    await plain.compact();
    expect(await tableBytes(plain)).toBe(before);
  });
});
