import { describe, expect, it } from 'vitest';
import type { Recipe } from '../recipe/schema.js';
import { recipeSql } from './compile.js';

const input = [
  { name: 'n', type: 'text' as const },
  { name: 't', type: 'text' as const },
];

describe('a recipe ending in sort-rows', () => {
  it('is ordered by the sort keys at the end, without the window, a number key included', () => {
    const recipe = {
      version: 1,
      steps: [
        { op: 'to-number', columns: ['n'] },
        { op: 'sort-rows', by: [{ column: 'n', desc: true }, { column: 't' }] },
      ],
    } as Recipe;
    const sql = recipeSql(recipe, 'src', input);
    expect(sql).not.toMatch(/row_number/);
    // The number key is an expression of the column, so DuckDB does not hand the column back from the sort key.
    expect(sql).toMatch(
      /ORDER BY \("n" \+ 0\) DESC NULLS LAST, "t" ASC NULLS LAST, "__tidyvault_row__" ASC\s*$/,
    );
  });
});
