import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { TYPE_SAMPLE_VALUES } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-type-sample-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function profiled(name: string, values: string[], threads: number) {
  const input = path.join(dir, name);
  fs.writeFileSync(input, `v\n${values.join('\n')}\n`);
  const engine = await NodeEngine.open({ allowedDirectories: [dir], threads });
  try {
    const [column] = (await engine.profile(await engine.importFile(input, name))).columns;
    return { inferredType: column!.inferredType, typeShare: column!.typeShare };
  } finally {
    await engine.close();
  }
}

it('infers the same type from a column of unique values whatever their order and the thread count', async () => {
  // Three times more distinct values than the type sample holds, every one once: half integers
  // (first in the file), half text. Which of the tied values the sample took used to follow the
  // order DuckDB grouped them in, so the file's order decided between "integer" and "text".
  const n = 3 * TYPE_SAMPLE_VALUES;
  const values = Array.from({ length: n }, (_, i) => (i < n / 2 ? String(i) : `x${i}`));
  const first = await profiled('ints-first.csv', values, 1);
  expect(first.inferredType).toBe('text');
  expect(first.typeShare).toBeNull();
  expect(await profiled('ints-last.csv', [...values].reverse(), 1)).toEqual(first);
  expect(await profiled('ints-first-4.csv', values, 4)).toEqual(first);
});
