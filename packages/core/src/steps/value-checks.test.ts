import { describe, expect, it } from 'vitest';
import type { Recipe, Step } from '../index.js';
import { valueChecks } from './value-checks.js';

const recipe = (...steps: object[]): Recipe => ({ version: 1, steps: steps as Step[] });
const trim = { op: 'trim', columns: ['a'] };
const replace = { op: 'replace', columns: ['a', 'b'], find: 'x', replace: 'xx' };
const merge = { op: 'merge-columns', columns: ['a', 'b'], separator: '-', into: 'ab' };

describe('valueChecks', () => {
  it('checks only the steps after the common prefix that may refuse a value, with the columns they write', () => {
    expect(valueChecks(recipe(trim), recipe(trim, replace))).toEqual([{ upTo: 2, columns: ['a', 'b'] }]);
    expect(valueChecks(recipe(trim, replace), recipe(trim, replace, trim))).toEqual([]);
    expect(valueChecks(recipe(), recipe(replace, trim, merge))).toEqual([
      { upTo: 1, columns: ['a', 'b'] },
      { upTo: 3, columns: ['ab'] },
    ]);
    // A step changed in place (a recipe replaced): it and every step after it.
    expect(valueChecks(recipe(replace, merge), recipe({ ...replace, replace: 'y' }, merge))).toEqual([
      { upTo: 1, columns: ['a', 'b'] },
      { upTo: 2, columns: ['ab'] },
    ]);
    // An undo checks nothing.
    expect(valueChecks(recipe(replace, merge), recipe(replace))).toEqual([]);
  });
});
