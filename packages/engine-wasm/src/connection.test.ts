import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { describe, expect, it } from 'vitest';
import { Connection } from './connection.js';

/** A connection whose statements take a few milliseconds each and are logged as they start and end. */
function connection() {
  const log: string[] = [];
  let running = 0;
  const raw = {
    query: async (sql: string) => {
      running++;
      if (running > 1) log.push('overlap');
      log.push(`start ${sql}`);
      await new Promise((resolve) => setTimeout(resolve, 3));
      log.push(`end ${sql}`);
      running--;
      if (sql === 'fail') throw new Error('failed');
      if (sql === 'broken') throw new Error('unique_lock::unlock: not locked');
      return sql;
    },
  } as unknown as AsyncDuckDBConnection;
  return { c: new Connection({} as AsyncDuckDB, raw), log };
}

const starts = (log: string[]) => log.filter((l) => l.startsWith('start ')).map((l) => l.slice(6));

describe('Connection', () => {
  it('words the error of an engine that stopped working, and leaves other errors as they are', async () => {
    const { c } = connection();
    await expect(c.query('broken')).rejects.toMatchObject({
      name: 'TidyvaultError',
      message: expect.stringMatching(
        /^reading the data: DuckDB-WASM in this tab stopped working .*reload the tab/,
      ),
    });
    await expect(c.query('fail')).rejects.toThrow(/^failed$/);
    // The queue goes on after a failure.
    await expect(c.query('ok')).resolves.toBe('ok');
  });

  it('runs statements one at a time, in the order asked', async () => {
    const { c, log } = connection();
    await Promise.all([c.query('a'), c.query('b'), c.query('c')]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs background statements after every other waiting one', async () => {
    const { c, log } = connection();
    await Promise.all([
      c.queryInBackground('p1'),
      c.queryInBackground('p2'),
      c.query('page'),
      c.query('export'),
    ]);
    expect(starts(log)).toEqual(['page', 'export', 'p1', 'p2']);
  });

  it('lets a caller that runs statements one after another finish before a background one', async () => {
    const { c, log } = connection();
    const slices = (async () => {
      for (const s of ['s1', 's2', 's3']) await c.query(s);
    })();
    const profile = c.queryInBackground('profile');
    await Promise.all([slices, profile]);
    expect(starts(log)).toEqual(['s1', 's2', 's3', 'profile']);
  });

  it('holds the connection for the whole of exclusive()', async () => {
    const { c, log } = connection();
    const held = c.exclusive(async (h) => {
      await h.query('x1');
      await new Promise((resolve) => setTimeout(resolve, 10));
      await h.query('x2');
    });
    const other = c.query('other');
    await Promise.all([held, other]);
    expect(starts(log)).toEqual(['x1', 'x2', 'other']);
    expect(log).not.toContain('overlap');
  });

  it('goes on after a failed statement', async () => {
    const { c } = connection();
    const failed = c.query('fail');
    const next = c.query('next');
    await expect(failed).rejects.toThrow('failed');
    await expect(next).resolves.toBe('next');
  });
});
