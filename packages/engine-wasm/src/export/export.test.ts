import { makeData, makeVector, Table, Int32, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../connection.js';
import { cellBatches } from './export.js';

const batch = (values: number[]): RecordBatch =>
  new Table({
    n: makeVector(makeData({ type: new Int32(), length: values.length, data: Int32Array.from(values) })),
  }).batches[0]!;

/** A connection whose statement yields `count` batches of two rows, then fails if asked to. */
function fakeConnection(count: number, failAt?: number) {
  const state = { read: 0, statements: 0, running: false };
  const connection = {
    async forEachBatch(_sql: string, each: (b: RecordBatch) => void | Promise<void>) {
      state.statements++;
      state.running = true;
      let failure: unknown;
      try {
        for (let i = 0; i < count; i++) {
          if (i === failAt) throw new Error('the worker failed');
          state.read++;
          if (failure === undefined)
            await Promise.resolve(each(batch([2 * i, 2 * i + 1]))).catch((e) => (failure = e));
        }
        if (failure !== undefined) throw failure;
      } finally {
        state.running = false;
      }
    },
  };
  return { connection: connection as unknown as Connection, state };
}

const query = { kind: 'select' as const, star: {}, columns: [], from: { kind: 'table' as const, name: 't' } };

describe('cellBatches (rows pulled by a writer, a batch ahead)', () => {
  it('gives every row in order', async () => {
    const { connection } = fakeConnection(4);
    const rows = [];
    for await (const b of cellBatches(connection, query)) rows.push(...b);
    expect(rows).toEqual([[0], [1], [2], [3], [4], [5], [6], [7]]);
  });

  it('never reads more than a batch ahead of the writer', async () => {
    const { connection, state } = fakeConnection(10);
    const seen: number[] = [];
    for await (const b of cellBatches(connection, query)) {
      seen.push(state.read);
      expect(b).toHaveLength(2);
    }
    expect(Math.max(...seen.map((read, i) => read - (i + 1)))).toBeLessThanOrEqual(2);
  });

  it('a writer that stops early frees the statement (the rest is read and dropped)', async () => {
    const { connection, state } = fakeConnection(10);
    for await (const b of cellBatches(connection, query)) {
      expect(b[0]).toEqual([0]);
      break;
    }
    expect(state.running).toBe(false);
    expect(state.read).toBe(10);
  });

  it('passes on the statement’s failure', async () => {
    const { connection } = fakeConnection(5, 3);
    const read = async () => {
      for await (const b of cellBatches(connection, query)) void b;
    };
    await expect(read()).rejects.toThrow('the worker failed');
  });
});
