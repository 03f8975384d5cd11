import { describe, expect, it } from 'vitest';
import { StepError, TidyvaultError } from '../errors.js';
import { viewFilterError, viewFilterMessage } from './view-filter.js';

describe('viewFilterError', () => {
  it("names the filter step as the view's filter, located at where", () => {
    const e = new StepError('RECIPE_INVALID', 2, 'filter-rows', 'there is no column "nope"', 'nope');
    const out = viewFilterError(e, 3) as TidyvaultError;
    expect(out).toBeInstanceOf(TidyvaultError);
    expect(out.code).toBe('RECIPE_INVALID');
    expect(out.message).toBe(`where (the view's filter, not a step): there is no column "nope"`);
    expect(out.location).toEqual({ column: 'nope', field: 'where' });
  });

  it("leaves the recipe's own steps as they are", () => {
    const e = new StepError('EXECUTION', 1, 'filter-rows', 'no such value');
    expect(viewFilterError(e, 3)).toBe(e);
    const other = new Error('boom');
    expect(viewFilterError(other, 1)).toBe(other);
  });

  it("keeps a field's sub-path", () => {
    expect(viewFilterMessage('step 4 (filter-rows) field "where.and[1].value": must be a string')).toBe(
      `where.and[1].value (the view's filter, not a step): must be a string`,
    );
  });
});
