import { distinctRowsCountQuery } from '@tidyvault/core';
import { call, lit, select, type Expr } from '@tidyvault/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 2 });
  // Duplicates, NULLs in every column, and tuples equal but for a NULL.
  await engine.connection.run(`CREATE TABLE dr AS SELECT
    CASE WHEN i % 17 = 0 THEN NULL ELSE 'a' || (i % 50) END AS a,
    CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(i % 7 AS VARCHAR) END AS b,
    CASE WHEN i % 11 = 0 THEN NULL WHEN i % 3 = 0 THEN '' ELSE 'c' || (i % 5) END AS c
  FROM range(20000) t(i)`);
});
afterAll(() => engine.close());

const scalar = async (sql: string) =>
  Number((await engine.connection.runAndReadAll(sql)).getRowsJson()[0]![0]);
const exact = (keys: string[]) =>
  scalar(`SELECT count(*) FROM (SELECT 1 FROM dr GROUP BY ${keys.join(', ')})`);
const counted = (keys: string[], hash?: (columns: Expr[]) => Expr) =>
  scalar(select(distinctRowsCountQuery('dr', keys, hash)));

describe('distinctRowsCountQuery (the rows a dedupe keeps, counted by hash)', () => {
  it('counts the distinct tuples exactly, NULLs equal, as GROUP BY does', async () => {
    for (const keys of [['a', 'b', 'c'], ['a', 'b'], ['c']]) {
      const n = await exact(keys);
      expect(n).toBeGreaterThan(1);
      expect(n).toBeLessThan(20000);
      expect(await counted(keys), keys.join(',')).toBe(n);
    }
  });

  it('stays exact when different tuples share a hash', async () => {
    const keys = ['a', 'b', 'c'];
    const n = await exact(keys);
    // A weak hash (many tuples per value) and a constant one (every tuple collides).
    const weak = (columns: Expr[]) => call('coalesce', call('length', columns[0]!), lit(-1));
    expect(await counted(keys, weak)).toBe(n);
    expect(await counted(keys, () => lit(0))).toBe(n);
  });

  it('counts typed keys as GROUP BY compares them (-0.0 and 0.0, NaNs, dates)', async () => {
    await engine.connection.run(`CREATE TABLE dr_typed AS SELECT * FROM (VALUES
      (-0.0::DOUBLE, DATE '2024-01-31', 1::BIGINT), (0.0::DOUBLE, DATE '2024-01-31', 1::BIGINT),
      ('NaN'::DOUBLE, NULL, 2::BIGINT), (-('NaN'::DOUBLE), NULL, 2::BIGINT),
      (1.5::DOUBLE, DATE '2024-02-01', NULL), (1.5::DOUBLE, DATE '2024-02-01', NULL)) t(x, d, n)`);
    const keys = ['x', 'd', 'n'];
    const n = await scalar(`SELECT count(*) FROM (SELECT 1 FROM dr_typed GROUP BY x, d, n)`);
    expect(n).toBe(3);
    expect(await scalar(select(distinctRowsCountQuery('dr_typed', keys)))).toBe(n);
  });

  it('counts an empty table as 0', async () => {
    await engine.connection.run('CREATE TABLE dr_empty AS SELECT * FROM dr LIMIT 0');
    expect(await scalar(select(distinctRowsCountQuery('dr_empty', ['a', 'b', 'c'])))).toBe(0);
  });
});
