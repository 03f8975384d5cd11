import { BLANK_PATTERN, parseStep } from '@tidyvault/core';
import { describe, expect, it } from 'vitest';
import { combinedWhere, facetWhere, type Facet } from './facet-model.js';

const text = (selected: (string | null)[], invert = false): Facet => ({
  kind: 'text',
  column: 'city',
  selected,
  invert,
});

describe('facets as filter conditions', () => {
  it('keep every row while nothing is selected', () => {
    expect(facetWhere(text([]))).toBeUndefined();
    expect(facetWhere({ kind: 'range', column: 'amount' })).toBeUndefined();
    expect(facetWhere({ kind: 'blank', column: 'city', text: true })).toBeUndefined();
    expect(combinedWhere([text([])])).toBeUndefined();
  });

  it('select values (null too), inverted on request', () => {
    expect(facetWhere(text(['Paris']))).toEqual({ column: 'city', op: 'eq', value: 'Paris' });
    expect(facetWhere(text(['Paris', 'Lyon', null]))).toEqual({
      or: [
        { column: 'city', op: 'in', value: ['Paris', 'Lyon'] },
        { column: 'city', op: 'is-null' },
      ],
    });
    expect(facetWhere(text(['Paris'], true))).toEqual({ not: { column: 'city', op: 'eq', value: 'Paris' } });
  });

  it('ranges include both ends; blanks are null or empty text', () => {
    expect(facetWhere({ kind: 'range', column: 'amount', from: 1, to: 5 })).toEqual({
      and: [
        { column: 'amount', op: 'gte', value: 1 },
        { column: 'amount', op: 'lte', value: 5 },
      ],
    });
    expect(facetWhere({ kind: 'blank', column: 'amount', text: false, show: 'blank' })).toEqual({
      column: 'amount',
      op: 'is-null',
    });
    expect(facetWhere({ kind: 'blank', column: 'city', text: true, show: 'filled' })).toEqual({
      not: {
        or: [
          { column: 'city', op: 'is-null' },
          { column: 'city', op: 'matches', value: BLANK_PATTERN },
        ],
      },
    });
  });

  it('combine with AND, each facet counted under the others', () => {
    const a = text(['Paris']);
    const b: Facet = { kind: 'range', column: 'amount', from: 1 };
    const both = combinedWhere([a, b]);
    expect(both).toEqual({ and: [facetWhere(a), facetWhere(b)] });
    expect(combinedWhere([a, b], a)).toEqual(facetWhere(b));
    // What the server receives is a valid filter-rows condition.
    expect(() => parseStep({ op: 'filter-rows', where: both })).not.toThrow();
  });
});
