import { col, select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import { formatParts, lacksDateField, tryParseDate } from './date-parse.js';

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

describe('tryParseDate', () => {
  it('tries a format only on values holding its literal characters (or no digit at all), in the given order', () => {
    const q = sql(['%Y-%m-%d', '%d/%m/%Y', '%b %d %Y']);
    expect(q).toContain(
      `CAST(coalesce((CASE WHEN (contains("v", '-') OR (NOT regexp_matches("v", '[0-9]'))) THEN try_strptime("v", '%Y-%m-%d') END), ` +
        `(CASE WHEN (contains("v", '/') OR (NOT regexp_matches("v", '[0-9]'))) THEN try_strptime("v", '%d/%m/%Y') END), ` +
        `try_strptime("v", '%b %d %Y')) AS DATE)`,
    );
    // DuckDB's own special values ('infinity', 'epoch') are no date written in any format.
    expect(q).toMatch(
      /^SELECT \(CASE WHEN regexp_full_match\("v", '[^']*infinity\|epoch[^']*', 'i'\) THEN NULL ELSE CAST\(coalesce/,
    );
  });

  it('keeps one call for a single format, or for formats with no literal', () => {
    expect(sql(['%Y-%m-%d'])).toContain(`CAST(try_strptime("v", '%Y-%m-%d') AS DATE)`);
    expect(sql(['%b %d %Y', '%d %b %Y'])).toContain(
      `CAST(try_strptime("v", ['%b %d %Y', '%d %b %Y']) AS DATE)`,
    );
  });

  it('makes each format a date of its own where a list would mix types (%z, %n)', () => {
    expect(sql(['%Y-%m-%d %z', '%d/%m/%Y'])).toContain(
      `coalesce((CASE WHEN (contains("v", '-') OR (NOT regexp_matches("v", '[0-9]'))) THEN CAST(make_timestamp(epoch_us(try_strptime("v", '%Y-%m-%d %z'))) AS DATE) END), ` +
        `(CASE WHEN (contains("v", '/') OR (NOT regexp_matches("v", '[0-9]'))) THEN CAST(try_strptime("v", '%d/%m/%Y') AS DATE) END))`,
    );
    expect(sql(['%Y-%m-%d %H:%M:%S.%n', '%Y-%m-%d'])).not.toContain(`try_strptime("v", [`);
  });
});
