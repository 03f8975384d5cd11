import { makeData, makeVector, Table, DateDay, Float64, Int64 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { utf8Vector } from './cluster-keys.js';
import { formatDate, tableRows, toCell } from './values.js';

const DAY_MS = 86_400_000;

describe('formatDate (days since the epoch, as DuckDB prints a DATE)', () => {
  it('agrees with the calendar on every day of years 1 to 9999', () => {
    const start = Math.round(new Date('0001-01-01T00:00:00Z').getTime() / DAY_MS);
    const end = Math.round(new Date('9999-12-31T00:00:00Z').getTime() / DAY_MS);
    const wrong: string[] = [];
    for (let d = start; d <= end; d++) {
      const want = new Date(d * DAY_MS).toISOString().slice(0, 10);
      if (formatDate(d) !== want) wrong.push(`${d}: ${formatDate(d)} ≠ ${want}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(formatDate(start)).toBe('0001-01-01');
    expect(formatDate(end)).toBe('9999-12-31');
  });

  it('prints the epoch, leap days, years past 9999, BC years and infinity as DuckDB does', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatDate(11_016)).toBe('2000-02-29');
    expect(formatDate(2_932_897)).toBe('10000-01-01');
    // Year 0 is 1 BC.
    expect(formatDate(-719_163)).toBe('0001-12-31 (BC)');
    expect(formatDate(-719_162)).toBe('0001-01-01');
    expect(formatDate(2_147_483_647)).toBe('infinity');
    expect(formatDate(-2_147_483_647)).toBe('-infinity');
  });
});

describe('toCell and tableRows', () => {
  it('keeps integers beyond 2^53 exact, as digit strings', () => {
    expect(toCell(9_007_199_254_740_991n)).toBe(9_007_199_254_740_991);
    expect(toCell(9_007_199_254_740_993n)).toBe('9007199254740993');
    expect(toCell(-9_223_372_036_854_775_808n)).toBe('-9223372036854775808');
    expect(toCell(Number.NaN)).toBe('NaN');
    expect(toCell(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(toCell(null)).toBeNull();
  });

  it('reads text, numbers, integers and dates by column, nulls as null', () => {
    const date = makeVector(
      makeData({
        type: new DateDay(),
        length: 2,
        nullCount: 1,
        nullBitmap: new Uint8Array([1]),
        data: new Int32Array([19_782, 0]),
      }),
    );
    const num = makeVector(
      makeData({ type: new Float64(), length: 2, data: new Float64Array([1.5, -0.25]) }),
    );
    const int = makeVector(
      makeData({ type: new Int64(), length: 2, data: new BigInt64Array([2n ** 60n, -3n]) }),
    );
    const table = new Table({ t: utf8Vector(['a', '']), n: num, i: int, d: date });
    expect(tableRows(table)).toEqual([
      ['a', 1.5, '1152921504606846976', '2024-02-29'],
      ['', -0.25, -3, null],
    ]);
  });
});

describe('utf8Vector (no Arrow builder: they compile code with new Function, which the CSP forbids)', () => {
  it('holds every string exactly, whatever its UTF-8 length', () => {
    const values = ['', 'a', 'é', 'e\u0301', '東京', '😀 x', '\u0000\u001f', 'x'.repeat(10_000)];
    expect([...utf8Vector(values)]).toEqual(values);
    expect(utf8Vector([]).length).toBe(0);
  });
});
