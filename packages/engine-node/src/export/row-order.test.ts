import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadedDataset, Recipe } from '@tidyvault/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from '../node-engine.js';

const ROWS = 500_000;
let dir: string;
let engine: NodeEngine;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-row-order-'));
  engine = await NodeEngine.open({ threads: 2, allowedDirectories: [dir] });
  await engine.connection.run(
    "CREATE TABLE order_t AS SELECT CAST(i AS VARCHAR) AS n, ' w' || CAST(i % 97 AS VARCHAR) AS w FROM range(500000) t(i)",
  );
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const data: LoadedDataset = {
  table: 'order_t',
  columns: [
    { name: 'n', type: 'text' },
    { name: 'w', type: 'text' },
  ],
  rowCount: ROWS,
  warnings: [],
};
const KEEPS_ORDER: Recipe = {
  version: 1,
  steps: [
    { op: 'trim', columns: ['w'] },
    { op: 'filter-rows', where: { column: 'w', op: 'neq', value: 'w5' } },
  ],
};

/** Positions of the lines (after the header) whose first field is not the next number up. */
function outOfOrder(file: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1, -1);
  let bad = 0;
  let last = -1;
  for (const line of lines) {
    const n = Number(line.slice(0, line.indexOf(',')));
    if (n <= last) bad++;
    last = n;
  }
  return bad;
}

describe('row order over several row groups, on two threads', () => {
  it('an export of steps that keep the order writes the rows in order (COPY … TO does not keep a scan order)', async () => {
    const file = path.join(dir, 'out.csv');
    const { rows } = await engine.export(data, KEEPS_ORDER, file, { format: 'csv' });
    expect(rows).toBeGreaterThan(490_000);
    expect(outOfOrder(file)).toBe(0);
  });

  it('a state of those steps is made without the final sort, and its rowid is still the position', async () => {
    expect(engine.compile(data, KEEPS_ORDER, { intoTable: true }).query.orderBy).toEqual([]);
    expect(engine.compile(data, KEEPS_ORDER).query.orderBy).not.toEqual([]);
    await engine.materialise(data, KEEPS_ORDER, 'order_state');
    const r = await engine.connection.runAndReadAll(
      'SELECT count(*) FILTER (WHERE n <= prev) FROM (SELECT CAST(n AS BIGINT) AS n, lag(CAST(n AS BIGINT)) OVER (ORDER BY rowid) AS prev FROM order_state)',
    );
    expect(Number(r.getRowsJson()[0]![0])).toBe(0);
  });
});
