import { describe, expect, it } from 'vitest';
import { facetChoices } from './facet-choices.js';

describe('facetChoices', () => {
  const values = [
    { value: 'Paris', count: 3 },
    { value: null, count: 1 },
  ];

  it('keeps a selected value that another facet left with no rows, at 0', () => {
    expect(facetChoices({ column: 'city', values, truncated: false }, ['Berlin', 'Paris'])).toEqual([
      ...values,
      { value: 'Berlin', count: 0 },
    ]);
  });

  it('does not claim 0 for a selected value beyond a truncated list', () => {
    expect(facetChoices({ column: 'city', values, truncated: true }, ['Berlin'])).toEqual([
      ...values,
      { value: 'Berlin', count: undefined },
    ]);
    expect(facetChoices({ column: 'city', values, truncated: false }, [null])).toEqual(values);
  });
});
