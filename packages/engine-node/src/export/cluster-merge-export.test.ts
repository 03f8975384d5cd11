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
