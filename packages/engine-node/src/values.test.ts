import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBDateValue } from './duckdb.js';
import { NodeEngine } from './node-engine.js';
import { toCell } from './values.js';

let engine: NodeEngine;
beforeAll(async () => {
  engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1 });
});
afterAll(() => engine.close());

describe('toCell of a DATE', () => {
  it('prints year 0 as 1 BC, as DuckDB and DuckDB-WASM print it', () => {
    expect(toCell(new DuckDBDateValue(-719_163))).toBe('0001-12-31 (BC)');
    expect(toCell(new DuckDBDateValue(-719_162))).toBe('0001-01-01');
    expect(toCell(new DuckDBDateValue(0))).toBe('1970-01-01');
  });

  it('gives a page the same date as the step’s own text of it', async () => {
    async function* rows() {
      yield ['0001-01-01 00:00:00+0100'];
    }
    const ds = await engine.importRows('year0', ['d'], rows());
    const out = await engine.run(ds, {
      version: 1,
      steps: [
        { op: 'to-date', columns: ['d'], formats: ['%Y-%m-%d %H:%M:%S%z'] },
        { op: 'copy-column', column: 'd', into: 'e' },
        { op: 'merge-columns', columns: ['d', 'e'], separator: '|', into: 'm' },
      ],
    });
    expect(out.rows).toEqual([['0001-12-31 (BC)', '0001-12-31 (BC)', '0001-12-31 (BC)|0001-12-31 (BC)']]);
  });
});
