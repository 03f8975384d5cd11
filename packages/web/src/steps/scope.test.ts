import { describe, expect, it } from 'vitest';
import type { Condition, Step } from '../api/types.js';
import { withScope } from './scope.js';

const paris: Condition = { column: 'city', op: 'eq', value: 'Paris' };

describe('withScope', () => {
  it('limits a value-changing step to the faceted rows', () => {
    expect(withScope({ op: 'trim', columns: ['name'] } as Step, paris)).toEqual({
      op: 'trim',
      columns: ['name'],
      where: paris,
    });
  });

  it('leaves every other step, a step without facets, and a step already limited alone', () => {
    const toNumber = { op: 'to-number', columns: ['amount'] } as Step;
    expect(withScope(toNumber, paris)).toBe(toNumber);
    const filter = { op: 'filter-rows', where: paris } as Step;
    expect(withScope(filter, { column: 'x', op: 'is-null' })).toBe(filter);
    const trim = { op: 'trim' } as Step;
    expect(withScope(trim, undefined)).toBe(trim);
    const own = { op: 'trim', where: { column: 'y', op: 'is-null' } } as Step;
    expect(withScope(own, paris)).toBe(own);
  });
});
