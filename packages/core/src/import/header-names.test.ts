import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoColumnNames, repairHeaderNames } from './header-names.js';

describe('repairHeaderNames', () => {
  it('strips a leading BOM and NULs and trims whitespace', () => {
    expect(repairHeaderNames(['\uFEFFid', ' na\u0000me\t', '\u0000\uFEFF city '])).toEqual([
      'id',
      'name',
      'city',
    ]);
  });

  it('names empty, null and missing names column_N by position', () => {
    expect(repairHeaderNames(['a', '', null, undefined, '  ', '\uFEFF'])).toEqual([
      'a',
      'column_2',
      'column_3',
      'column_4',
      'column_5',
      'column_6',
    ]);
  });

  it('numbers repeats from _2, the first occurrence keeping its name', () => {
    expect(repairHeaderNames(['x', 'y', 'x', 'x', 'y'])).toEqual(['x', 'y', 'x_2', 'x_3', 'y_2']);
  });

  it('skips a suffix another column already has, before or after it', () => {
    expect(repairHeaderNames(['a', 'a', 'a_2'])).toEqual(['a', 'a_3', 'a_2']);
    expect(repairHeaderNames(['a_2', 'a', 'a'])).toEqual(['a_2', 'a', 'a_3']);
  });

  it('compares names exactly by default', () => {
    expect(repairHeaderNames(['Name', 'name', 'NAME'])).toEqual(['Name', 'name', 'NAME']);
  });

  it('compares names ignoring case when asked (as DuckDB does)', () => {
    expect(repairHeaderNames(['Name', 'name', 'NAME', 'name_2'], { caseInsensitive: true })).toEqual([
      'Name',
      'name_3',
      'NAME_4',
      'name_2',
    ]);
  });

  it("renames DuckDB's row number and Tidyvault's row column in any case, when names become DuckDB columns", () => {
    expect(
      repairHeaderNames(['ROWID', 'x', '__Tidyvault_Row__', 'rowid_2'], { caseInsensitive: true }),
    ).toEqual(['ROWID_3', 'x', '__Tidyvault_Row___2', 'rowid_2']);
    expect(repairHeaderNames(['rowid'])).toEqual(['rowid']);
  });

  it('treats an empty name that collides with a real one like any repeat', () => {
    expect(repairHeaderNames(['column_2', ''])).toEqual(['column_2', 'column_2_2']);
  });

  it('lets the name the file gives keep it, wherever it stands: the made-up name moves aside', () => {
    expect(repairHeaderNames(['', 'column_1', ''])).toEqual(['column_1_2', 'column_1', 'column_3']);
    expect(repairHeaderNames(['', 'COLUMN_1'], { caseInsensitive: true })).toEqual([
      'column_1_2',
      'COLUMN_1',
    ]);
    expect(repairHeaderNames(['', ''])).toEqual(['column_1', 'column_2']);
  });

  it('always returns unique, non-empty names of the same count', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.option(fc.constantFrom('', ' ', 'a', 'a_2', 'A', 'b', 'column_1', '\uFEFFa', 'a\u0000')),
          { maxLength: 30 },
        ),
        (raw) => {
          const names = repairHeaderNames(raw);
          expect(names).toHaveLength(raw.length);
          expect(new Set(names).size).toBe(names.length);
          for (const n of names) expect(n).not.toBe('');
          const folded = repairHeaderNames(raw, { caseInsensitive: true }).map((n) => n.toLowerCase());
          expect(new Set(folded).size).toBe(folded.length);
        },
      ),
    );
  });

  it('stays fast with thousands of repeats', () => {
    const names = repairHeaderNames(Array.from({ length: 20_000 }, () => 'x'));
    expect(names[19_999]).toBe('x_20000');
  });
});

describe('autoColumnNames', () => {
  it('names extra columns by position', () => {
    expect(autoColumnNames(3, 2, ['a', 'b'])).toEqual(['column_3', 'column_4']);
  });

  it('avoids names already taken', () => {
    expect(autoColumnNames(2, 2, new Set(['column_2', 'column_2_2']))).toEqual(['column_2_3', 'column_3']);
    expect(autoColumnNames(1, 1, ['COLUMN_1'], { caseInsensitive: true })).toEqual(['column_1_2']);
  });

  it('returns nothing for no columns', () => {
    expect(autoColumnNames(1, 0)).toEqual([]);
  });
});
