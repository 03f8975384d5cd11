import {
  makeData,
  makeVector,
  Table,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int64,
  List,
  Struct,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { utf8Vector } from './cluster-keys.js';
import { firstJsonObject, jsonRows, tableRows, toCell } from './values.js';

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

describe('columnReader', () => {
  const values = ['\uFEFFw', '\uFEFF\uFEFFx', 'a\uFEFFb', null, '', '😀'];

  it("keeps a value's leading U+FEFF, which Arrow's own decoding drops", () => {
    const table = new Table({ t: utf8Vector(values) });
    expect(table.getChildAt(0)!.get(0)).toBe('w'); // what tableRows read before
    expect(tableRows(table).map((r) => r[0])).toEqual(values);
    expect(jsonRows(table).map((r) => r[0])).toEqual(values);
  });

  it("keeps it inside lists of structs too (a profile's top values), sliced or not", () => {
    const top = [
      [
        { value: '\uFEFFw', count: 2 },
        { value: 'x', count: 1 },
      ],
      null,
      [{ value: '\uFEFF', count: 5 }],
      [],
    ];
    const type = new List(
      new Field('item', new Struct([new Field('value', new Utf8()), new Field('count', new Float64())])),
    );
    const table = new Table({ top: vectorFromArray(top, type) });
    expect(jsonRows(table).map((r) => r[0])).toEqual(top);
    expect(jsonRows(table.slice(2, 4)).map((r) => r[0])).toEqual(top.slice(2, 4));
  });

  it('reads the right chunk and offset of a column in several chunks, or sliced', () => {
    const two = new Table({ t: utf8Vector(values.slice(0, 3)) }).concat(
      new Table({ t: utf8Vector(values.slice(3)) }),
    );
    expect(two.getChildAt(0)!.data).toHaveLength(2);
    expect(tableRows(two).map((r) => r[0])).toEqual(values);
    const sliced = new Table({ t: utf8Vector(values) }).slice(1, 5);
    expect(tableRows(sliced).map((r) => r[0])).toEqual(values.slice(1, 5));
  });
});

describe('utf8Vector (no Arrow builder: they compile code with new Function, which the CSP forbids)', () => {
  it('holds every string exactly, whatever its UTF-8 length', () => {
    const values = ['', 'a', 'é', 'e\u0301', '東京', '😀 x', '\u0000\u001f', 'x'.repeat(10_000)];
    expect([...utf8Vector(values)]).toEqual(values);
    expect(utf8Vector([]).length).toBe(0);
  });

  it('holds nulls where values are null', () => {
    const v = utf8Vector(['a', null, '', null, 'é'.repeat(9)]);
    expect([...v]).toEqual(['a', null, '', null, 'é'.repeat(9)]);
    expect(v.nullCount).toBe(2);
  });
});

describe('jsonRows (query results read as engine-node reads them as JSON)', () => {
  it('reads HUGEINT sums (decimal, scale 0), lists of structs and nulls', () => {
    // DuckDB sends a HUGEINT as a 128-bit decimal of scale 0: 2^64 + 5, and 7.
    const huge = makeVector(
      makeData({
        type: new Decimal(0, 38, 128),
        length: 2,
        data: new Uint32Array([5, 0, 1, 0, 7, 0, 0, 0]),
      }),
    );
    const text = utf8Vector(['a', 'b', 'c']);
    const counts = makeVector(
      makeData({ type: new Int64(), length: 3, data: new BigInt64Array([3n, 2n, 1n]) }),
    );
    const struct = new Struct([new Field('value', new Utf8(), true), new Field('count', new Int64(), true)]);
    const entries = makeData({ type: struct, length: 3, children: [text.data[0]!, counts.data[0]!] });
    const top = makeVector(
      makeData({
        type: new List(new Field('item', struct, true)),
        length: 2,
        nullCount: 1,
        nullBitmap: new Uint8Array([1]),
        valueOffsets: new Int32Array([0, 3, 3]),
        child: entries,
      }),
    );
    const table = new Table({ rows: huge, top });
    expect(jsonRows(table)).toEqual([
      [
        '18446744073709551621',
        [
          { value: 'a', count: 3 },
          { value: 'b', count: 2 },
          { value: 'c', count: 1 },
        ],
      ],
      [7, null],
    ]);
    expect(firstJsonObject(table)).toEqual({
      rows: '18446744073709551621',
      top: [
        { value: 'a', count: 3 },
        { value: 'b', count: 2 },
        { value: 'c', count: 1 },
      ],
    });
    expect(firstJsonObject(new Table({ rows: huge.slice(0, 0) }))).toEqual({});
  });
});
