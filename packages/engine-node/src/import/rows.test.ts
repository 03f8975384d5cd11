import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, Column } from '@tidyvault/core';
import { NodeEngine } from '../node-engine.js';
import type { TextRow } from './rows.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1 });
});
afterAll(async () => {
  await engine.close();
});

async function* from(rows: TextRow[]): AsyncGenerator<TextRow> {
  for (const r of rows) yield r;
}

async function tables(): Promise<string[]> {
  const r = await engine.connection.runAndReadAll('SELECT table_name FROM duckdb_tables() ORDER BY 1');
  return r.getRowsJson().map((row) => String(row[0]));
}

describe('importRows: rows read by JavaScript become a text dataset', () => {
  it('keeps the order and the text, pads short rows with NULL and repairs the names', async () => {
    const ds = await engine.importRows(
      'pg.sales: public.t',
      ['id', 'Name', 'name', ''],
      from([
        ['2', ' Ann ', 'x', '007'],
        ['1', null, 'y'],
        ['3', 'Zoë', undefined, ''],
      ]),
    );
    expect(ds.rowCount).toBe(3);
    expect(ds.columns.map((c) => c.name)).toEqual(['id', 'Name', 'name_2', 'column_4']);
    expect(ds.columns.every((c) => c.type === 'text')).toBe(true);
    const t = await engine.run(ds, { version: 1, steps: [] });
    expect(t.rows).toEqual([
      ['2', ' Ann ', 'x', '007'],
      ['1', null, 'y', null],
      ['3', 'Zoë', null, ''],
    ]);
    await engine.drop(ds);
  });

  it('leaves no table behind when the rows fail part-way', async () => {
    const before = await tables();
    async function* failing(): AsyncGenerator<TextRow> {
      yield ['a'];
      throw new Error('the source went away');
    }
    await expect(engine.importRows('src', ['x'], failing())).rejects.toThrow('the source went away');
    expect(await tables()).toEqual(before);
  });

  it('refuses a source with no columns', async () => {
    await expect(engine.importRows('src', [], from([]))).rejects.toMatchObject({ code: 'IMPORT_EMPTY' });
  });
});

describe('exportRows: the recipe result streamed to a sink', () => {
  it('hands the sink the cleaned rows in order with their column types', async () => {
    const ds = await engine.importRows(
      'src',
      ['name', 'amount'],
      from([
        ['  b ', '1.50'],
        ['a', 'x'],
        ['  b ', '1.50'],
      ]),
    );
    const got = await engine.exportRows(
      ds,
      {
        version: 1,
        steps: [
          { op: 'trim', columns: ['name'] },
          { op: 'to-number', columns: ['amount'] },
          { op: 'dedupe-rows' },
        ],
      },
      async (columns: Column[], rows: AsyncIterable<Cell[]>) => {
        const all: Cell[][] = [];
        for await (const r of rows) all.push(r);
        return { columns, all };
      },
    );
    expect(got.columns).toEqual([
      { name: 'name', type: 'text' },
      { name: 'amount', type: 'number' },
    ]);
    expect(got.all).toEqual([
      ['b', 1.5],
      ['a', null],
    ]);
    await engine.drop(ds);
  });
});
