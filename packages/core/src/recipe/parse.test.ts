import { describe, expect, it } from 'vitest';
import { TidyvaultError } from '../errors.js';
import { analyzeRecipe } from '../compile/analyze.js';
import { parseRecipe, parseRecipeText, parseStep } from './parse.js';

const fail = (input: unknown): string => {
  try {
    parseRecipe(input);
  } catch (e) {
    expect(e).toBeInstanceOf(TidyvaultError);
    return (e as Error).message;
  }
  throw new Error('expected the recipe to be refused');
};

describe('parseRecipe', () => {
  it('accepts a recipe using every op', () => {
    const r = parseRecipe({
      version: 1,
      steps: [
        { op: 'trim' },
        { op: 'collapse-whitespace', columns: ['a'] },
        { op: 'blank-to-null' },
        { op: 'change-case', columns: ['a'], case: 'title' },
        { op: 'replace', columns: ['a'], find: 'x', replace: 'y', regex: true, caseSensitive: false },
        { op: 'to-number', columns: ['n'], decimal: ',', thousands: '.', strip: '$', nullValues: ['-'] },
        { op: 'to-date', columns: ['d'], formats: ['%Y-%m-%d'] },
        { op: 'fill-null', columns: ['a'], strategy: 'down' },
        { op: 'dedupe-rows', columns: ['a'] },
        { op: 'cluster-merge', column: 'a', method: 'fingerprint' },
        { op: 'mass-edit', column: 'a', edits: [{ from: ['x', 'X'], to: 'x' }] },
        {
          op: 'filter-rows',
          where: { or: [{ column: 'a', op: 'eq', value: 'x' }, { not: { column: 'a', op: 'is-null' } }] },
          keep: false,
        },
        { op: 'split-column', column: 'a', separator: ',', into: ['p', 'q'] },
        { op: 'merge-columns', columns: ['p', 'q'], separator: ' ', into: 'pq' },
        { op: 'rename-columns', mapping: { pq: 'both' } },
        { op: 'drop-columns', columns: ['p'] },
        { op: 'sort-rows', by: [{ column: 'q', desc: true }] },
      ],
    });
    expect(r.steps).toHaveLength(17);
  });

  it('names the step of an unknown op and lists the known ones', () => {
    const m = fail({ version: 1, steps: [{ op: 'trim' }, { op: 'frobnicate', columns: ['a'] }] });
    expect(m).toMatch(/step 2: unknown op "frobnicate"/);
    expect(m).toMatch(/collapse-whitespace/);
  });

  it('names the step and field of a wrong parameter type', () => {
    expect(fail({ version: 1, steps: [{ op: 'change-case', columns: 'a', case: 'lower' }] })).toMatch(
      /step 1 \(change-case\) field "columns"/,
    );
    expect(fail({ version: 1, steps: [{ op: 'replace', columns: ['a'], find: 1, replace: 'x' }] })).toMatch(
      /field "find"/,
    );
  });

  it('says a size limit in words, not in the validator’s', () => {
    expect(fail({ version: 1, steps: [{ op: 'split-column', column: 'a', separator: ',', into: [] }] })).toBe(
      'invalid recipe: step 1 (split-column) field "into": must not be empty: give at least one',
    );
    expect(fail({ version: 1, steps: [{ op: 'to-date', columns: ['d'], formats: [] }] })).toMatch(
      /step 1 \(to-date\) field "formats": must not be empty: give at least one$/,
    );
    // A message of its own is kept.
    expect(fail({ version: 1, steps: [{ op: 'trim', columns: [''] }] })).toMatch(
      /field "columns\[0\]": a column name cannot be empty$/,
    );
  });

  it('refuses a pattern or separator past 1,000 characters (the regex budget), naming the field', () => {
    const long = 'a'.repeat(1001);
    const at = (step: Record<string, unknown>) => fail({ version: 1, steps: [step] });
    expect(at({ op: 'replace', columns: ['a'], find: long, replace: '', regex: true })).toMatch(
      /step 1 \(replace\) field "find": .*1000/,
    );
    expect(at({ op: 'split-column', column: 'a', separator: long, into: ['b'] })).toMatch(
      /step 1 \(split-column\) field "separator": .*1000/,
    );
    // A condition's pattern is checked with the columns it reads.
    const matches = parseRecipe({
      version: 1,
      steps: [{ op: 'filter-rows', where: { column: 'a', op: 'matches', value: long } }],
    });
    expect(() => analyzeRecipe(matches, [{ name: 'a', type: 'text' }])).toThrow(
      /longer than 1000 characters/,
    );
    // At the limit, accepted.
    expect(() =>
      parseRecipe({
        version: 1,
        steps: [{ op: 'replace', columns: ['a'], find: long.slice(1), replace: '' }],
      }),
    ).not.toThrow();
  });

  it('names the field inside a condition that matched none of its shapes', () => {
    const where = (w: unknown) => fail({ version: 1, steps: [{ op: 'filter-rows', where: w }] });
    expect(where({ column: 'city', op: 'like', value: 'p' })).toMatch(
      /step 1 \(filter-rows\) field "where\.op": Invalid option: expected one of "eq"\|"neq"/,
    );
    expect(
      where({
        and: [
          { column: 'c', op: 'eq', value: 1 },
          { column: 'c', op: 'zz' },
        ],
      }),
    ).toMatch(/field "where\.and\[1\]\.op"/);
    expect(where({ all: [] })).toMatch(/field "where\.all": Unrecognized key: "all"/);
  });

  it('refuses a new column name with whitespace at either end (it would not survive a file read back)', () => {
    for (const step of [
      { op: 'rename-columns', mapping: { a: ' b2 ' } },
      { op: 'split-column', column: 'a', separator: ',', into: ['x', 'y\t'] },
      { op: 'merge-columns', columns: ['a', 'b'], separator: '-', into: '\u00a0m' },
    ])
      expect(fail({ version: 1, steps: [step] }), step.op).toMatch(
        /field "(mapping\.a|into\[1\]|into)": a column name cannot start or end with whitespace/,
      );
    expect(() =>
      parseRecipe({ version: 1, steps: [{ op: 'rename-columns', mapping: { a: 'b 2' } }] }),
    ).not.toThrow();
  });

  it('refuses unknown parameters, a missing version and other versions', () => {
    expect(fail({ version: 1, steps: [{ op: 'trim', colums: ['a'] }] })).toMatch(
      /step 1 \(trim\) field "colums": Unrecognized key: "colums"/,
    );
    const thrown = (() => {
      try {
        parseRecipe({ version: 1, steps: [{ op: 'trim', colums: ['a'] }] });
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(TidyvaultError);
    expect((thrown as TidyvaultError).location).toEqual({ step: { index: 1, op: 'trim' }, field: 'colums' });
    expect(fail({ steps: [] })).toMatch(/version/);
    expect(fail({ version: 2, steps: [] })).toMatch(/version/);
  });

  it('says when the text is not JSON', () => {
    expect(() => parseRecipeText('{"version":1,', 'r.json')).toThrow(/r.json is not valid JSON/);
    // Where, as a line and a column.
    expect(() => parseRecipeText('{\n  "version": 1,\n  "steps": [{"op": "trim",}]\n}', 'r.json')).toThrow(
      /r\.json is not valid JSON: .* \(line 3, column 27\)$/,
    );
  });
});

describe('deeply nested input', () => {
  const nested = (depth: number): unknown => {
    let where: unknown = { column: 'a', op: 'is-null' };
    for (let i = 0; i < depth; i++) where = { not: where };
    return { op: 'filter-rows', where };
  };

  it('is refused with a clear error instead of overflowing the stack', () => {
    expect(() => parseStep(nested(5_000))).toThrow(/nested more than 100 levels deep/);
    expect(() => parseRecipe({ version: 1, steps: [nested(5_000)] })).toThrow(
      /nested more than 100 levels deep/,
    );
  });

  it('is accepted at a depth a person could write', () => {
    expect(parseStep(nested(40))).toMatchObject({ op: 'filter-rows' });
  });
});
