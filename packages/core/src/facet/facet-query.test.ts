import { select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import {
  facetQuery,
  histogramBins,
  histogramColumn,
  histogramCountsQuery,
  histogramRangeQuery,
  outputColumn,
  readFacet,
  readHistogram,
  readHistogramRange,
} from './facet-query.js';

const source = {
  kind: 'select' as const,
  star: {},
  columns: [],
  from: { kind: 'table' as const, name: 't' },
};
const columns = [
  { name: 'city', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
  { name: 'n', type: 'integer' as const },
  { name: 'd', type: 'date' as const },
];

describe('facet', () => {
  it('asks for one row more than the limit, most frequent first, NULL before other ties', () => {
    const sql = select(facetQuery(source, 'city', true, 5));
    expect(sql).toMatch(/GROUP BY "city"/);
    expect(sql).toMatch(/ORDER BY "count" DESC, "value" ASC NULLS FIRST\nLIMIT 6$/);
    expect(sql).toMatch(/LIMIT 6$/);
    expect(select(facetQuery(source, 'amount', false, 5))).toMatch(/CAST\("amount" AS VARCHAR\)/);
  });

  it('reads values as text or null, and says when more exist', () => {
    const rows = [
      ['Paris', 3n],
      [null, '2'],
      [12, 1],
    ];
    expect(readFacet('city', rows, 2)).toEqual({
      column: 'city',
      values: [
        { value: 'Paris', count: 3 },
        { value: null, count: 2 },
      ],
      truncated: true,
    });
    expect(readFacet('city', rows, 3).truncated).toBe(false);
    expect(readFacet('city', rows, 3).values[2]).toEqual({ value: '12', count: 1 });
  });

  it('names the columns there are when one is missing', () => {
    expect(() => outputColumn(columns, 'nope')).toThrow(
      'column "nope" does not exist; columns are: "city", "amount", "n", "d"',
    );
    expect(outputColumn(columns, 'd')).toEqual({ name: 'd', type: 'date' });
  });
});

describe('histogram', () => {
  it('takes number and integer columns only', () => {
    expect(histogramColumn(columns, 'amount').type).toBe('number');
    expect(histogramColumn(columns, 'n').type).toBe('integer');
    expect(() => histogramColumn(columns, 'd')).toThrow(/holds date, not numbers/);
    expect(() => histogramColumn(columns, 'nope')).toThrow(/does not exist/);
  });

  it('answers at once when there is no number, or one value', () => {
    expect(readHistogramRange('x', [null, null, 4n, 0n])).toEqual({
      done: { column: 'x', min: null, max: null, bins: [], missing: 4 },
    });
    expect(readHistogramRange('x', [2.5, 2.5, 1, 7])).toEqual({
      done: { column: 'x', min: 2.5, max: 2.5, bins: [{ from: 2.5, to: 2.5, count: 7 }], missing: 1 },
    });
  });

  it('lists every bin, empty ones too, the last ending at max', () => {
    const first = readHistogramRange('x', [0, 10, '1', '9']);
    if (!('range' in first)) throw new Error('expected a range');
    expect(select(histogramCountsQuery(source, 'x', first.range, 4))).toMatch(/least\(.*, 3\)/);
    const h = readHistogram('x', first.range, 4, [
      [0, 5n],
      [3, '4'],
    ]);
    expect(h.bins).toEqual([
      { from: 0, to: 2.5, count: 5 },
      { from: 2.5, to: 5, count: 0 },
      { from: 5, to: 7.5, count: 0 },
      { from: 7.5, to: 10, count: 4 },
    ]);
    expect(h).toMatchObject({ min: 0, max: 10, missing: 1 });
  });

  it('counts lengths of any column, in whole-number bins that never outnumber the lengths', () => {
    expect(histogramColumn(columns, 'd', 'length').type).toBe('date');
    expect(select(histogramRangeQuery(source, 'x', 'length'))).toMatch(/length\(CAST\("x" AS VARCHAR\)\)/);
    const range = { min: 2, max: 5, missing: 0, present: 9 };
    expect(histogramBins(range, 30, 'length')).toEqual({ bins: 4, width: 1 });
    expect(histogramBins(range, 2, 'length')).toEqual({ bins: 2, width: 2 });
    expect(histogramBins(range, 2)).toEqual({ bins: 2, width: 1.5 });
    expect(readHistogram('x', range, 30, [[1, 9n]], 'length').bins).toEqual([
      { from: 2, to: 3, count: 0 },
      { from: 3, to: 4, count: 9 },
      { from: 4, to: 5, count: 0 },
      { from: 5, to: 6, count: 0 },
    ]);
  });
});
