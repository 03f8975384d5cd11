import { col, select } from '@tidyvault/sql';
import { describe, expect, it } from 'vitest';
import { formatParts, tryStrptime } from './date-parse.js';

const formatLiterals = (format: string) => formatParts(format).literals;

const sql = (formats: string[]) =>
  select({
    kind: 'select',
    columns: [{ expr: tryStrptime(col('v'), formats), as: 'd' }],
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

describe('tryStrptime', () => {
  it('tries a format only on values holding its literal characters (or no digit at all), in the given order', () => {
    const q = sql(['%Y-%m-%d', '%d/%m/%Y', '%b %d %Y']);
    expect(q).toContain(
      `coalesce((CASE WHEN (contains("v", '-') OR (NOT regexp_matches("v", '[0-9]'))) THEN try_strptime("v", '%Y-%m-%d') END), ` +
        `(CASE WHEN (contains("v", '/') OR (NOT regexp_matches("v", '[0-9]'))) THEN try_strptime("v", '%d/%m/%Y') END), ` +
        `try_strptime("v", '%b %d %Y'))`,
    );
    // DuckDB's own special values ('infinity', 'epoch') are no date written in any format.
    expect(q).toMatch(
      /^SELECT \(CASE WHEN regexp_full_match\("v", '[^']*infinity\|epoch[^']*', 'i'\) THEN NULL ELSE coalesce/,
    );
  });

  it('keeps one call for a single format, for fields of another type (%z, %n), or when no format has a literal', () => {
    expect(sql(['%Y-%m-%d'])).toContain(`try_strptime("v", '%Y-%m-%d')`);
    expect(sql(['%Y-%m-%d %z', '%d/%m/%Y'])).toContain(`try_strptime("v", ['%Y-%m-%d %z', '%d/%m/%Y'])`);
    expect(sql(['%b %d %Y', '%d %b %Y'])).toContain(`try_strptime("v", ['%b %d %Y', '%d %b %Y'])`);
    // %n gives nanosecond timestamps: a coalesce would cast the others', which fails before 1677.
    expect(sql(['%Y-%m-%d %H:%M:%S.%n', '%Y-%m-%d'])).toContain(
      `try_strptime("v", ['%Y-%m-%d %H:%M:%S.%n', '%Y-%m-%d'])`,
    );
  });
});
