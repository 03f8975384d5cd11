import { describe, expect, it } from 'vitest';
import { formatDate } from './format-date.js';

const DAY_MS = 86_400_000;

describe('formatDate (days since the epoch, as DuckDB prints a DATE)', () => {
  it('agrees with the calendar on every day of years 1 to 9999', () => {
    const start = Math.round(new Date('0001-01-01T00:00:00Z').getTime() / DAY_MS);
    const end = Math.round(new Date('9999-12-31T00:00:00Z').getTime() / DAY_MS);
    const wrong: string[] = [];
    for (let d = start; d <= end; d++) {
      const want = new Date(d * DAY_MS).toISOString().slice(0, 10);
      if (formatDate(d) !== want) wrong.push(`${d}: ${formatDate(d)} ≠ ${want}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(formatDate(start)).toBe('0001-01-01');
    expect(formatDate(end)).toBe('9999-12-31');
  });

  it('prints the epoch, leap days, years past 9999, BC years and infinity as DuckDB does', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatDate(11_016)).toBe('2000-02-29');
    expect(formatDate(2_932_897)).toBe('10000-01-01');
    // Year 0 is 1 BC.
    expect(formatDate(-719_163)).toBe('0001-12-31 (BC)');
    expect(formatDate(-719_162)).toBe('0001-01-01');
    expect(formatDate(2_147_483_647)).toBe('infinity');
    expect(formatDate(-2_147_483_647)).toBe('-infinity');
  });
});
