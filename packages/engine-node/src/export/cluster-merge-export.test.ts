import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Recipe } from '@tidyvault/core';
import { NodeEngine } from '../node-engine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-cm-export-'));
let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ allowedDirectories: [dir] });
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const recipe: Recipe = {
  version: 1,
  steps: [
    { op: 'trim', columns: ['name', 'city'] },
    { op: 'cluster-merge', column: 'name', method: 'fingerprint' },
    { op: 'dedupe-rows' },
    { op: 'change-case', columns: ['city'], case: 'lower' },
    { op: 'cluster-merge', column: 'city', method: 'ngram-fingerprint', params: { ngramSize: 2 } },
    { op: 'sort-rows', by: [{ column: 'city' }] },
  ],
} as Recipe;

it('exports a recipe with cluster-merge steps after other steps exactly as it runs', async () => {
  const input = [
    'name,city',
    ' Acme Inc ,Zürich',
    'acme inc,ZURICH ',
    '"ACME, Inc.",zurich',
    'Beta,Geneva',
    'beta,Geneve',
    'Beta ,Genève',
    ' Acme Inc ,Zürich',
    'Gamma,Bern',
  ].join('\n');
  const ds = await engine.loadCsv('c.csv', new TextEncoder().encode(input + '\n'));
  const expected = await engine.run(ds, recipe);
  const out = path.join(dir, 'out.json');
  const result = await engine.export(ds, recipe, out, { format: 'json' });
  const exported = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, string | null>[];
  expect(result.rows).toBe(expected.rows.length);
  expect(exported.map((r) => [r.name, r.city])).toEqual(expected.rows);
  expect(new Set(exported.map((r) => r.name)).size).toBeLessThan(4);
  const tables = await engine.connection.runAndReadAll(
    "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'dataset_%'",
  );
  expect(tables.getRowsJson()).toEqual([['1']]);
  await engine.drop(ds);
});

it('keeps the order of a sort made just before a cluster-merge (its staged input is sorted)', async () => {
  const ds = await engine.loadCsv('s.csv', new TextEncoder().encode('city,n\nb,1\na,2\nc,3\nA ,4\n'));
  const sorted = {
    version: 1,
    steps: [
      { op: 'sort-rows', by: [{ column: 'city' }] },
      { op: 'cluster-merge', column: 'city', method: 'fingerprint' },
      { op: 'trim', columns: ['city'] },
    ],
  } as Recipe;
  try {
    const expected = await engine.run(ds, sorted);
    expect(expected.rows.map((r) => r[1])).toEqual(['4', '2', '1', '3']);
    const out = path.join(dir, 'sorted.json');
    await engine.export(ds, sorted, out, { format: 'json' });
    const exported = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, string | null>[];
    expect(exported.map((r) => [r.city, r.n])).toEqual(expected.rows);
    const streamed = await engine.exportRows(ds, sorted, async (_c, rows) => {
      const all: unknown[] = [];
      for await (const row of rows) all.push(row);
      return all;
    });
    expect(streamed).toEqual(expected.rows);
  } finally {
    await engine.drop(ds);
  }
});
