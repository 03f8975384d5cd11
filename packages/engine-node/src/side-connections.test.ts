import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset } from '@tidyvault/core';
import { NodeEngine } from './node-engine.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ threads: 2 });
  await engine.connection.run(
    "CREATE TABLE side_t AS SELECT 'x' || CAST(i AS VARCHAR) || ' ' AS a, CAST(i % 97 AS VARCHAR) AS b FROM range(2000000) t(i)",
  );
});
afterAll(() => engine.close());

const dataset = (columns: string[]): LoadedDataset => ({
  table: 'side_t',
  columns: columns.map((name) => ({ name, type: 'text' as const })),
  rowCount: 2_000_000,
  warnings: [],
});

describe('work on side connections', () => {
  it('a profile whose column query fails closes no connection while its query runs, and later profiles still run', async () => {
    // A connection closed while its query runs leaves that query's promise unsettled for good
    // (with its pool thread and side slot). Watch every side connection the profile opens.
    let closedWhileRunning = 0;
    const connect = engine.connect.bind(engine);
    engine.connect = async () => {
      const c = await connect();
      let running = 0;
      return new Proxy(c, {
        get(target, key) {
          if (key === 'runAndReadAll')
            return async (...args: Parameters<typeof target.runAndReadAll>) => {
              running++;
              try {
                return await target.runAndReadAll(...args);
              } finally {
                running--;
              }
            };
          if (key === 'closeSync')
            return () => {
              if (running > 0) closedWhileRunning++;
              target.closeSync();
            };
          const v: unknown = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    };
    try {
      // 'a' (2M distinct values) is still running when the query of the missing column fails.
      await expect(engine.profile(dataset(['a', 'b', 'missing']))).rejects.toThrow(/missing/);
    } finally {
      engine.connect = connect;
    }
    expect(closedWhileRunning).toBe(0);
    for (let i = 0; i < 3; i++) {
      const p = await engine.profile(dataset(['a', 'b']));
      expect(p.rows).toBe(2_000_000);
      expect(p.columns.map((c) => c.distinct)).toEqual([2_000_000, 97]);
    }
  });

  it('materialises on a connection of its own, in order without the final sort when the steps keep it', async () => {
    const connection = await engine.connect();
    try {
      const recipe = { version: 1 as const, steps: [{ op: 'trim' as const, columns: ['a'] }] };
      expect(engine.compile(dataset(['a', 'b']), recipe, { intoTable: true }).query.orderBy).toEqual([]);
      const columns = await engine.materialise(dataset(['a', 'b']), recipe, 'side_copy', { connection });
      expect(columns.map((c) => c.name)).toEqual(['a', 'b']);
      // rowid is the row's position: the same order as the source, every row.
      const r = await engine.connection.runAndReadAll(
        `SELECT count(*), count(*) FILTER (WHERE c.a <> 'x' || CAST(c.rowid AS VARCHAR)) FROM side_copy c`,
      );
      expect(r.getRowsJson()[0]!.map(Number)).toEqual([2_000_000, 0]);
    } finally {
      connection.closeSync();
      await engine.connection.run('DROP TABLE IF EXISTS side_copy');
    }
  });

  it('close() interrupts the queries running on side connections and waits for them', async () => {
    const own = await NodeEngine.open({ threads: 2 });
    await own.connection.run(
      "CREATE TABLE side_big AS SELECT 'x' || CAST(i AS VARCHAR) AS a, CAST(i AS VARCHAR) AS b FROM range(4000000) t(i)",
    );
    // Know when a side query has been sent (a connection closed under it would never answer).
    let sent!: () => void;
    const running = new Promise<void>((resolve) => (sent = resolve));
    const connect = own.connect.bind(own);
    own.connect = async () => {
      const c = await connect();
      return new Proxy(c, {
        get(target, key) {
          const v: unknown = Reflect.get(target, key, target);
          if (key === 'runAndReadAll') sent();
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    };
    const profile = own.profile({ ...dataset(['a', 'b']), table: 'side_big', rowCount: 4_000_000 }).then(
      () => 'finished',
      () => 'stopped',
    );
    await running;
    await own.close();
    expect(['finished', 'stopped']).toContain(await profile);
  });
});
