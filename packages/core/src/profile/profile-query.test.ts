import { select, type Select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import type { Column } from '../steps/types.js';
import { columnProfileQuery, readColumnProfile } from './profile-query.js';

const text: Column = { name: 'v', type: 'text' };
const integer: Column = { name: 'v', type: 'integer' };
const source: Select = { kind: 'select', columns: [], star: {}, from: { kind: 'table', name: 't' } };

/** The single row a column query returns (DuckDB JSON: sums as strings). */
const row = (over: Record<string, unknown>) => ({
  rows: '20',
  nulls: '0',
  blanks: '0',
  padded: '0',
  mixed_case: '0',
  distinct: '3',
  min_length: 1,
  max_length: 3,
  top: [],
  sampled: '20',
  integers: '0',
  numbers: '0',
  dates: '0',
  booleans: '0',
  ...over,
});

describe('column profile extras', () => {
  it('reads padded and mixed-case row counts', () => {
    const p = readColumnProfile(text, row({ padded: '3', mixed_case: '4' })).profile;
    expect(p.padded).toBe(3);
    expect(p.mixedCase).toBe(4);
    expect(readColumnProfile(text, row({ padded: null, mixed_case: undefined })).profile).toMatchObject({
      padded: 0,
      mixedCase: 0,
    });
  });

  it('gives the weighted share of sampled values that parse as the inferred type', () => {
    const share = (over: Record<string, unknown>) => readColumnProfile(text, row(over)).profile;
    expect(share({ integers: '19', numbers: '19' })).toMatchObject({
      inferredType: 'integer',
      typeShare: 0.95,
    });
    expect(share({ integers: '20', numbers: '20' })).toMatchObject({ inferredType: 'integer', typeShare: 1 });
    expect(share({ integers: '10', numbers: '19' })).toMatchObject({
      inferredType: 'number',
      typeShare: 0.95,
    });
    expect(share({ dates: '20', sampled: '20' })).toMatchObject({ inferredType: 'date', typeShare: 1 });
    expect(share({ booleans: '39', sampled: '40' })).toMatchObject({
      inferredType: 'boolean',
      typeShare: 0.975,
    });
  });

  it('has no type share when there is nothing to convert', () => {
    const p = (c: Column, over: Record<string, unknown>) => readColumnProfile(c, row(over)).profile;
    expect(p(text, { integers: '18' })).toMatchObject({ inferredType: 'text', typeShare: null });
    expect(p(text, { blanks: '20', sampled: '0' })).toMatchObject({ inferredType: 'empty', typeShare: null });
    expect(p(integer, { integers: '20' })).toMatchObject({ inferredType: 'integer', typeShare: null });
  });

  it('queries padded and mixed-case counts from the distinct values, mixed case for text only', () => {
    const sql = select(columnProfileQuery(source, text));
    expect(sql).toContain('AS "padded"');
    expect(sql).toContain('WHEN ("v" <> lower("v")) THEN "n"');
    expect(sql).toMatch(/FROM "counts"/);
    const typed = select(columnProfileQuery(source, integer));
    expect(typed).toContain('AS "padded"');
    expect(typed).not.toContain('lower("v")');
    expect(typed).toContain('0 AS "mixed_case"');
  });

  it('breaks ties in the type sample by hash unless told the engine is single-threaded', () => {
    expect(select(columnProfileQuery(source, text))).toMatch(/ORDER BY "n" DESC, hash\("v"\)/);
    expect(select(columnProfileQuery(source, text, 10, { stableSample: false }))).not.toContain('hash(');
  });
});
