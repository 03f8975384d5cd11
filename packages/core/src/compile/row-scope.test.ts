import { select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import { StepError } from '../errors.js';
import { parseRecipe } from '../recipe/parse.js';
import { describeStep, ROW_SCOPED_OPS } from '../steps/registry.js';
import type { Column } from '../steps/types.js';
import { analyzeRecipe } from './analyze.js';
import { compileRecipe } from './compile.js';

const input: Column[] = [
  { name: 'name', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'n', type: 'integer' },
];
const recipe = (steps: unknown[]) => parseRecipe({ version: 1, steps });

describe('row-scoped steps (where)', () => {
  it('are the steps that change values in place and keep every type', () => {
    expect([...ROW_SCOPED_OPS].sort()).toEqual(
      ['blank-to-null', 'change-case', 'collapse-whitespace', 'mass-edit', 'replace', 'trim'].sort(),
    );
    // Other steps keep refusing a `where` they would not honour.
    expect(() =>
      recipe([{ op: 'to-number', columns: ['n'], where: { column: 'city', op: 'eq', value: 'x' } }]),
    ).toThrow(/where/);
  });

  it('change a column only in the selected rows, the others pass through', () => {
    const sql = select(
      compileRecipe(
        recipe([{ op: 'trim', columns: ['name'], where: { column: 'n', op: 'gt', value: 2 } }]),
        't',
        input,
      ).query,
    );
    expect(sql).toMatch(
      /\(CASE WHEN coalesce\(\("n" > CAST\(2 AS BIGINT\)\), FALSE\) THEN \(CASE .* ELSE "name" END\) ELSE "name" END\) AS "name", "city" AS "city", "n" AS "n"/s,
    );
  });

  it('check the condition like filter-rows: unknown column, wrong value type, regex for the engine', () => {
    const unknown = () =>
      analyzeRecipe(recipe([{ op: 'trim', where: { column: 'town', op: 'eq', value: 'x' } }]), input);
    expect(unknown).toThrow(StepError);
    expect(unknown).toThrow(/column "town" does not exist/);
    expect(() =>
      analyzeRecipe(recipe([{ op: 'trim', where: { column: 'n', op: 'eq', value: 'many' } }]), input),
    ).toThrow(/column "n" is integer/);
    const a = analyzeRecipe(
      recipe([
        {
          op: 'change-case',
          columns: ['name'],
          case: 'upper',
          where: { column: 'city', op: 'matches', value: '^P' },
        },
      ]),
      input,
    );
    expect(a.engineChecks).toEqual([
      {
        stepIndex: 0,
        op: 'change-case',
        check: { kind: 'regex', value: '^P', field: 'where', column: 'city' },
      },
    ]);
  });

  it('say which rows in words', () => {
    const [step] = recipe([
      {
        op: 'mass-edit',
        column: 'city',
        edits: [{ from: ['paris'], to: 'Paris' }],
        where: {
          and: [
            { column: 'name', op: 'in', value: ['a', 'b', 'c', 'd', 'e'] },
            { column: 'n', op: 'is-null' },
          ],
        },
      },
    ]).steps;
    expect(describeStep(step!)).toMatch(
      /, only in rows where "name" is one of "a", "b", "c" and 2 more and "n" is empty$/,
    );
    expect(describeStep({ op: 'trim', columns: ['name'] })).not.toMatch(/only in rows/);
  });
});
