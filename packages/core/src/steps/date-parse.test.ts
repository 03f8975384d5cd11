import { col, select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import {
  formatParts,
  isoWeekProblem,
  lacksDateField,
  tryParseDate,
  yearIsTheOnlyFourDigits,
  yearShapeRegex,
} from './date-parse.js';

const formatLiterals = (format: string) => formatParts(format).literals;

const sql = (formats: string[]) =>
  select({
    kind: 'select',
    columns: [{ expr: tryParseDate(col('v'), formats), as: 'd' }],
    from: { kind: 'table', name: 't' },
  });

describe('formatLiterals', () => {
  it('lists the characters a format matches literally, not its fields or spaces', () => {
    expect(formatLiterals('%Y-%m-%d')).toEqual(['-']);
    expect(formatLiterals('%d/%m/%Y %H:%M')).toEqual(['/', ':']);
    expect(formatLiterals('%b %d %Y')).toEqual([]);
    expect(formatLiterals('%-d.%-m.%Y')).toEqual(['.']);
    expect(formatLiterals('%Y%% %m')).toEqual(['%']);
    expect(formatLiterals('%Y年%m月%d日')).toEqual(['年', '月', '日']);
    expect(formatLiterals('%Y-%m-%dT%H:%M:%S')).toEqual(['-', 'T', ':']);
  });

  it('takes a character outside the BMP whole, and lists the fields', () => {
    expect(formatParts('%Y😀%-m😀%d')).toEqual({ literals: ['😀'], fields: ['Y', 'm', 'd'] });
  });
});

describe('lacksDateField', () => {
  it('is true for a format of times, weekdays or literal text only; not for a date, nor for unknown fields', () => {
    for (const f of ['abc', '%H:%M', '%A', '%%Y', '%I %p', '%T', '']) expect(lacksDateField(f), f).toBe(true);
    for (const f of ['%Y-%m-%d', '%b %d %Y', '%d.%m.', '%Y', '%j', '%x', '%Q'])
      expect(lacksDateField(f), f).toBe(false);
  });
});

describe('yearIsTheOnlyFourDigits', () => {
  it('is true when only the %Y field can hold four digits in a row', () => {
    for (const f of [
      '%Y-%m-%d',
      '%d/%m/%Y',
      '%b %d %Y',
      '%-d.%-m.%Y',
      '%Y-%m-%d %H:%M:%S',
      '%Y年%m月%d日',
      '%Y%b%d',
    ])
      expect(yearIsTheOnlyFourDigits(f), f).toBe(true);
  });

  it('is false when fields touch, a field reads more digits, a literal is a digit, or there is no single %Y', () => {
    for (const f of [
      '%d%m%Y',
      '%Y%m%d',
      '%Y-%m-%d %H%M',
      '%Y-%m-%d %z',
      '%Y-%m-%d %H:%M:%S.%f',
      '%Y-%m-01',
      '%d/%m/%y',
      '%Y %Y',
      '%Y-%m-%d %Q',
    ])
      expect(yearIsTheOnlyFourDigits(f), f).toBe(false);
  });
});

describe('yearShapeRegex', () => {
  const matches = (format: string, value: string) =>
    new RegExp(`^(?:${yearShapeRegex(format)!})$`).test(value);

  it('reads digit fields as DuckDB does: as many digits as they take before another digit field', () => {
    expect(matches('%d%m%Y', '01022021')).toBe(true);
    expect(matches('%d%m%Y', '1022021')).toBe(false);
    expect(matches('%d/%m/%Y', '1/2/2021')).toBe(true);
    expect(matches('%d/%m/%Y', '1/2/21')).toBe(false);
    expect(matches('%d/%m/%Y', '1/2/0000')).toBe(false);
    expect(matches('%Y-%m-%d %H:%M:%S%z', '2024-01-05 10:00:00+01:00')).toBe(true);
    expect(matches('%b %d %Y', 'Jan \t 5 2024')).toBe(true);
    expect(matches('%Y.%m', '2024x01')).toBe(false);
  });

  it('gives up on fields it does not model', () => {
    expect(yearShapeRegex('%Y-%m-%d %T')).toBeUndefined();
    expect(yearShapeRegex('%c')).toBeUndefined();
  });
});

describe('isoWeekProblem', () => {
  it('accepts %G %V %u together and formats without ISO week fields', () => {
    for (const f of ['%G-W%V-%u', '%G %V %u', '%Y-%m-%d']) expect(isoWeekProblem(f), f).toBeUndefined();
  });

  it('names what DuckDB would read wrongly: %g, %G without %V, a weekday other than %u', () => {
    expect(isoWeekProblem('%g %V %u')).toMatch(/%g .* is not read/);
    for (const f of ['%G-%m-%d', '%G %V', '%Y %V %u', '%G %V %a', '%G %V %w %u'])
      expect(isoWeekProblem(f), f).toMatch(/needs %G \(year\), %V \(week\) and %u/);
    for (const f of ['%G-W%V-%u %m-%d', '%G-W%V-%u %Y-%m-%d'])
      expect(isoWeekProblem(f), f).toMatch(/cannot be mixed with calendar fields/);
    expect(isoWeekProblem('%Y-%W-%a')).toMatch(/%U and %W .* ignores %a/);
    expect(isoWeekProblem('%Y-%W-%w')).toBeUndefined();
  });
});

describe('tryParseDate', () => {
  const FOUR = '[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9]';
  const YEAR = `regexp_matches("v", '${FOUR}')`;

  it('tries a format only on values holding its literal characters and, with %Y, four digits, in the given order', () => {
    const q = sql(['%Y-%m-%d', '%d/%m/%Y', '%b %d %Y']);
    expect(q).toContain(
      `CAST(coalesce((CASE WHEN (contains("v", '-') AND ${YEAR}) THEN try_strptime("v", '%Y-%m-%d') END), ` +
        `(CASE WHEN (contains("v", '/') AND ${YEAR}) THEN try_strptime("v", '%d/%m/%Y') END), ` +
        `(CASE WHEN ${YEAR} THEN try_strptime("v", '%b %d %Y') END)) AS DATE)`,
    );
    // Without %Y, a value without a digit (a month name alone) is tried with every format.
    expect(sql(['%d.%m.%y', '%d/%m/%y'])).toContain(
      `CAST(coalesce((CASE WHEN (contains("v", '.') OR (NOT regexp_matches("v", '[0-9]'))) THEN try_strptime("v", '%d.%m.%y') END), `,
    );
    // DuckDB's own special values ('infinity', 'epoch') are no date written in any format.
    expect(q).toMatch(
      /^SELECT \(CASE WHEN regexp_full_match\("v", '[^']*infinity\|epoch[^']*', 'i'\) THEN NULL ELSE CAST\(coalesce/,
    );
  });

  it('keeps one call for a single format, or for formats with no literal and no %Y', () => {
    expect(sql(['%Y-%m-%d'])).toContain(
      `(CASE WHEN ${YEAR} THEN CAST(try_strptime("v", '%Y-%m-%d') AS DATE) END)`,
    );
    expect(sql(['%d.%m.%y'])).toContain(`CAST(try_strptime("v", '%d.%m.%y') AS DATE)`);
    expect(sql(['%d %b', '%b %d'])).toContain(`CAST(try_strptime("v", ['%d %b', '%b %d']) AS DATE)`);
  });

  it("matches the whole value against the format where four digits may be another field's", () => {
    expect(sql(['%d%m%Y'])).toContain(
      `(CASE WHEN regexp_full_match("v", '[ \\t\\n\\v\\f\\r]*[0-9]{2}[0-9]{2}(?:${FOUR})[ \\t\\n\\v\\f\\r]*') THEN CAST(try_strptime("v", '%d%m%Y') AS DATE) END)`,
    );
    expect(sql(['%d/%m/%Y'])).not.toContain('regexp_full_match("v", \'[ ');
    // A field it does not model (%T): the date is checked after parsing instead.
    expect(sql(['%Y-%m-%d %T'])).toContain(
      `contains("v", strftime(CAST(try_strptime("v", '%Y-%m-%d %T') AS DATE), '%Y'))`,
    );
  });
  it('makes each format a date of its own where a list would mix types (%z, %n)', () => {
    const q = sql(['%Y-%m-%d %z', '%d/%m/%Y']);
    expect(q).toContain(`CAST(make_timestamp(epoch_us(try_strptime("v", '%Y-%m-%d %z'))) AS DATE)`);
    expect(q).toContain(
      `(CASE WHEN (contains("v", '/') AND ${YEAR}) THEN CAST(try_strptime("v", '%d/%m/%Y') AS DATE) END))`,
    );
    expect(sql(['%Y-%m-%d %H:%M:%S.%n', '%Y-%m-%d'])).not.toContain(`try_strptime("v", [`);
  });
});
