import { select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import { parseRecipe } from '../recipe/parse.js';
import type { Column } from '../steps/types.js';
import { compileRecipe } from './compile.js';

const input: Column[] = [
  { name: 'name', type: 'text' },
  { name: 'n', type: 'integer' },
];
const sqlOf = (steps: unknown[]) =>
  select(compileRecipe(parseRecipe({ version: 1, steps }), 't', input).query);

describe('CTEs read twice', () => {
  it('are computed once, except the source, which is read again rather than copied', () => {
    // cluster-merge reads its input twice (its counts and the join): first over the table itself.
    const first = sqlOf([{ op: 'cluster-merge', column: 'name', method: 'fingerprint' }]);
    expect(first).toMatch(/"s0_source" AS \(SELECT "rowid"/);
    expect(first).not.toMatch(/MATERIALIZED/);
    // After a step, the step's own CTE is what is read twice: it is computed once.
    const after = sqlOf([
      { op: 'trim', columns: ['name'] },
      { op: 'cluster-merge', column: 'name', method: 'fingerprint' },
    ]);
    expect(after).toMatch(/"s1_trim" AS MATERIALIZED \(/);
    expect(after).toMatch(/"s0_source" AS \(SELECT "rowid"/);
  });
});
