import { describe, expect, it } from 'vitest';
import { planCsv, sniffCsv } from './csv-plan.js';

const bytes = (t: string) => new TextEncoder().encode(t);

describe('planCsv', () => {
  it('says a quote is never closed only when the whole file was seen', () => {
    const open = bytes('"a,b\n1,2\n');
    expect(() => planCsv(open, true, 'f.csv', {})).toThrow(
      /^f\.csv: line 1: a quoted field is never closed$/,
    );
    expect(() => planCsv(open, false, 'f.csv', {})).toThrow(
      /^f\.csv: line 1: the first record does not end within the first 1 MiB \(a quoted field never closed, or a record that long\)$/,
    );
    expect(sniffCsv(open, false, 'f.csv', {})).toMatchObject({ delimiter: ',', first: undefined });
  });

  it('names the columns as header repair does, and plans a rewrite only when DuckDB needs one', () => {
    const p = planCsv(bytes('\ufeffName,name,\r\n1,2,3\r\n'), true, 'f.csv', {});
    expect(p).toMatchObject({ names: ['Name', 'name_2', 'column_3'], bomLength: 3, rewrite: true });
    expect(planCsv(bytes('a;b\n1;2\n'), true, 'f.csv', {})).toMatchObject({ delimiter: ';', rewrite: false });
  });
});
