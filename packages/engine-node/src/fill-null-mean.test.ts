import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Recipe } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-mean-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const recipe: Recipe = {
  version: 1,
  steps: [
    { op: 'to-number', columns: ['amount'], nullValues: ['n/a'] },
    { op: 'fill-null', columns: ['amount'], strategy: 'mean' },
    { op: 'filter-rows', where: { column: 'memo', op: 'eq', value: 'ok' } },
  ],
};

async function exported(threads: number, input: string): Promise<string> {
  const engine = await NodeEngine.open({ allowedDirectories: [dir], threads });
  try {
    const ds = await engine.importFile(input, 'mean.csv');
    const out = path.join(dir, `out-${threads}.csv`);
    await engine.export(ds, recipe, out, { format: 'csv' });
    return fs.readFileSync(out, 'utf8');
  } finally {
    await engine.close();
  }
}

it('fills with the same mean whatever the thread count (the browser has one, the CLI all cores)', async () => {
  const input = path.join(dir, 'mean.csv');
  const lines = ['id,amount,memo'];
  for (let i = 0; i < 300_000; i++)
    lines.push(`${i},${i % 11 === 0 ? 'n/a' : ((i * 7919) % 100_003) / 7.3},${i % 3 === 0 ? 'ok' : 'no'}`);
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const one = await exported(1, input);
  expect(one.split('\n')[1]).toMatch(/^"0",\d+\.\d+,"ok"$/);
  for (const threads of [2, 4]) expect(await exported(threads, input), `${threads} threads`).toBe(one);
});
