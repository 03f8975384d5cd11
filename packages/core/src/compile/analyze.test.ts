import { describe, expect, it } from 'vitest';
import { StepError } from '../errors.js';
import { parseRecipe } from '../recipe/parse.js';
import type { Column } from '../steps/types.js';
import { analyzeRecipe, inferInputColumns } from './analyze.js';

const input: Column[] = ['name', 'city', 'amount'].map((name) => ({ name, type: 'text' }));
const analyze = (steps: unknown[]) => analyzeRecipe(parseRecipe({ version: 1, steps }), input);

function stepError(steps: unknown[]): StepError {
  try {
    analyze(steps);
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return e as StepError;
  }
  throw new Error('expected an analysis error');
}

describe('analyzeRecipe', () => {
  it('tracks columns and types through every step', () => {
    const a = analyze([
      { op: 'to-number', columns: ['amount'] },
      { op: 'split-column', column: 'name', separator: ' ', into: ['first', 'last'] },
      { op: 'rename-columns', mapping: { city: 'town' } },
      { op: 'merge-columns', columns: ['first', 'town'], separator: '/', into: 'key' },
    ]);
    expect(a.schemas.at(-1)).toEqual([
      { name: 'first', type: 'text' },
      { name: 'last', type: 'text' },
      { name: 'town', type: 'text' },
      { name: 'key', type: 'text' },
      { name: 'amount', type: 'number' },
    ]);
  });

  it('calls a bad filter value a parameter error, naming its column', () => {
    for (const where of [
      { column: 'city', op: 'eq' },
      { column: 'city', op: 'in', value: 'x' },
      { column: 'city', op: 'is-null', value: 'x' },
    ]) {
      const e = stepError([{ op: 'filter-rows', where }]);
      expect(e.code, JSON.stringify(where)).toBe('RECIPE_PARAM');
      expect(e.location).toEqual({ step: { index: 1, op: 'filter-rows' }, column: 'city' });
    }
    expect(stepError([{ op: 'filter-rows', where: { column: 'nope', op: 'eq', value: 'x' } }]).code).toBe(
      'RECIPE_COLUMN',
    );
  });

  it('names the step and column of an unknown column', () => {
    const e = stepError([{ op: 'trim' }, { op: 'trim', columns: ['nmae'] }]);
    expect(e.location).toEqual({ step: { index: 2, op: 'trim' }, column: 'nmae' });
    expect(e.message).toMatch(
      /step 2 \(trim\): column "nmae" does not exist; columns are: "name", "city", "amount"/,
    );
  });

  it('says a column was dropped or renamed by an earlier step', () => {
    expect(
      stepError([
        { op: 'drop-columns', columns: ['city'] },
        { op: 'trim', columns: ['city'] },
      ]).message,
    ).toMatch(
      /step 2 \(trim\): column "city" does not exist \(removed or renamed by step 1 \(drop-columns\)\)/,
    );
    const e = stepError([
      { op: 'rename-columns', mapping: { city: 'town' } },
      { op: 'blank-to-null', columns: ['city'] },
    ]);
    expect(e.location.step).toEqual({ index: 2, op: 'blank-to-null' });
    expect(e.location.column).toBe('city');
  });

  it('refuses name collisions', () => {
    expect(stepError([{ op: 'rename-columns', mapping: { city: 'name' } }]).message).toMatch(
      /two columns would be named "name"/,
    );
    expect(
      stepError([{ op: 'split-column', column: 'name', separator: ' ', into: ['city'] }]).location.column,
    ).toBe('city');
    const twice = stepError([{ op: 'split-column', column: 'name', separator: ' ', into: ['x', 'y', 'x'] }]);
    expect(twice.message).toMatch(/"into" names "x" twice/);
    expect(twice.location.field).toBe('into.2');
    expect(
      stepError([{ op: 'merge-columns', columns: ['name', 'city'], separator: ' ', into: 'amount' }]).location
        .column,
    ).toBe('amount');
  });

  it('allows a rename swap', () => {
    const a = analyze([{ op: 'rename-columns', mapping: { name: 'city', city: 'name' } }]);
    expect(a.schemas[1]!.map((c) => c.name)).toEqual(['city', 'name', 'amount']);
  });

  it('refuses steps on columns of the wrong type', () => {
    const e = stepError([
      { op: 'to-number', columns: ['amount'] },
      { op: 'trim', columns: ['amount'] },
    ]);
    expect(e.message).toMatch(/step 2 \(trim\): column "amount" is number; trim needs text/);
    expect(stepError([{ op: 'fill-null', columns: ['city'], strategy: 'mean' }]).message).toMatch(
      /needs number/,
    );
  });

  it('refuses a mean or median fill of an integer column, saying how to get there', () => {
    const e = stepError([
      { op: 'to-integer', columns: ['amount'] },
      { op: 'fill-null', columns: ['amount'], strategy: 'median' },
    ]);
    expect(e.message).toMatch(
      /step 2 \(fill-null\): column "amount" is integer; fill-null median .* to-number first/,
    );
    expect(e.code).toBe('RECIPE_TYPE');
  });

  it('refuses fill values that do not fit the column type', () => {
    expect(
      stepError([
        { op: 'to-number', columns: ['amount'] },
        { op: 'fill-null', columns: ['amount'], strategy: 'value', value: 'zero' },
      ]).message,
    ).toMatch(/expected a number/);
  });

  it('refuses a to-date format that reads no part of a date, naming the step and the format', () => {
    const e = stepError([{ op: 'to-date', columns: ['city'], formats: ['%Y-%m-%d', '%H:%M'] }]);
    expect(e.message).toMatch(/step 1 \(to-date\): formats\[1\] "%H:%M" has no date field/);
    expect(e.code).toBe('RECIPE_PARAM');
    expect(e.location).toMatchObject({ step: { index: 1, op: 'to-date' }, field: 'formats.1' });
  });

  it('names the parameter at fault: a regex replacement with a stray backslash, a fill value', () => {
    const stray = stepError([
      { op: 'replace', columns: ['city'], find: 'a', replace: 'C:\\Users', regex: true },
    ]);
    expect(stray.location).toMatchObject({ step: { index: 1, op: 'replace' }, field: 'replace' });
    const lone = stepError([{ op: 'fill-null', columns: ['city'], strategy: 'down', value: 'x' }]);
    expect(lone.location.field).toBe('value');
  });

  it('lists at most 20 columns when one is missing, so a wide file gives a short message', () => {
    const wide: Column[] = Array.from({ length: 1500 }, (_, i) => ({ name: `c${i}`, type: 'text' }));
    let message = '';
    try {
      analyzeRecipe({ version: 1, steps: [{ op: 'trim', columns: ['nope'] }] }, wide);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/column "nope" does not exist; columns are: "c0", .* "c19", and 1480 more$/);
  });

  it('refuses a step whose output has two names differing only in case (DuckDB would mix them up)', () => {
    for (const step of [
      { op: 'rename-columns', mapping: { name: 'City' } },
      { op: 'merge-columns', columns: ['name', 'city'], separator: ' ', into: 'Name' },
      { op: 'split-column', column: 'name', separator: 'n', into: ['CITY', 'x'] },
    ]) {
      const e = stepError([step]);
      expect(e.message, step.op).toMatch(/step 1 \(.*\): columns "\w+" and "\w+" would differ only in case/);
      expect(e.code).toBe('RECIPE_COLUMN');
    }
    // A column renamed to its own name in other case is fine.
    expect(() => analyze([{ op: 'rename-columns', mapping: { name: 'NAME' } }])).not.toThrow();
  });

  it('refuses %Z, which the two DuckDB builds read differently, pointing to %z or a literal name', () => {
    const e = stepError([{ op: 'to-date', columns: ['city'], formats: ['%Y-%m-%d %Z'] }]);
    expect(e.message).toMatch(
      /step 1 \(to-date\): formats\[0\] "%Y-%m-%d %Z": %Z \(a time zone name\).*use %z/,
    );
    expect(() => analyze([{ op: 'to-date', columns: ['city'], formats: ['%Y-%m-%d %%Z'] }])).not.toThrow();
  });

  it('refuses an ISO week format DuckDB would read wrongly, naming the step and the format', () => {
    const e = stepError([{ op: 'to-date', columns: ['city'], formats: ['%Y-%m-%d', '%G-%m-%d'] }]);
    expect(e.message).toMatch(/step 1 \(to-date\): formats\[1\] "%G-%m-%d": an ISO week date needs %G/);
    expect(e.code).toBe('RECIPE_PARAM');
  });

  it('collects the patterns only DuckDB can check', () => {
    const a = analyze([
      { op: 'replace', columns: ['name'], find: '(a+', replace: '', regex: true },
      { op: 'to-date', columns: ['city'], formats: ['%Y'] },
    ]);
    expect(a.engineChecks.map((c) => [c.stepIndex, c.check.kind])).toEqual([
      [0, 'regex'],
      [1, 'date-format'],
    ]);
  });

  it('flags recipes that carry data values', () => {
    expect(
      analyze([{ op: 'mass-edit', column: 'city', edits: [{ from: ['NYC'], to: 'New York' }] }])
        .carriesDataValues,
    ).toBe(true);
    expect(analyze([{ op: 'trim' }]).carriesDataValues).toBe(false);
  });
});

describe('inferInputColumns', () => {
  it('finds the columns a recipe reads before it creates them', () => {
    const recipe = parseRecipe({
      version: 1,
      steps: [
        { op: 'split-column', column: 'full', separator: ' ', into: ['a', 'b'] },
        { op: 'trim', columns: ['a', 'city'] },
        { op: 'sort-rows', by: [{ column: 'b' }, { column: 'zip' }] },
      ],
    });
    expect(inferInputColumns(recipe).map((c) => c.name)).toEqual(['full', 'city', 'zip']);
  });
});
