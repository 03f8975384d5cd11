import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateToSerial } from '../export/xlsx-sheet.js';
import { isDateFormat, isDateFormatCode, serialToText } from './excel-dates.js';

describe('isDateFormatCode', () => {
  it.each([
    ['yyyy-mm-dd', true],
    ['dd/mm/yyyy', true],
    ['[$-409]mmmm d, yyyy;@', true],
    ['h:mm AM/PM', true],
    ['[h]:mm:ss', true],
    ['General', false],
    ['0.00', false],
    ['#,##0.00 "days"', false],
    ['"y"0', false],
    ['[Red]0.0;[Blue]-0.0', false],
    ['\\d0', false],
    ['0.0E+00', false],
    ['_(* #,##0_);_(* (#,##0)', false],
    ['@', false],
  ])('%s → %s', (code, isDate) => {
    expect(isDateFormatCode(code)).toBe(isDate);
  });

  it('uses built-in ids 14–22 and 45–47 unless the workbook defines the id', () => {
    const none = new Map<number, string>();
    expect([13, 14, 22, 23, 44, 45, 47, 48].map((id) => isDateFormat(id, none))).toEqual([
      false,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(isDateFormat(14, new Map([[14, '0.00']]))).toBe(false);
    expect(isDateFormat(164, new Map([[164, 'd-mmm']]))).toBe(true);
  });
});

describe('serial dates', () => {
  it('follow Excel around its phantom 1900-02-29', () => {
    expect([1, 59, 60, 61].map((s) => serialToText(s, false))).toEqual([
      '1900-01-01',
      '1900-02-28',
      '1900-02-29',
      '1900-03-01',
    ]);
    expect(dateToSerial(1900, 2, 28)).toBe(59);
    expect(dateToSerial(1900, 3, 1)).toBe(61);
  });

  it('show time to the nearest second, rolling over midnight', () => {
    expect(serialToText(45322.5, false)).toBe('2024-01-31 12:00:00');
    expect(serialToText(45322 + 86_399.6 / 86_400, false)).toBe('2024-02-01');
    expect(serialToText(45322 + 1 / 86_400, false)).toBe('2024-01-31 00:00:01');
  });

  it('count from 1904-01-01 in the 1904 system', () => {
    expect(serialToText(0, true)).toBe('1904-01-01');
    expect(serialToText(43860, true)).toBe('2024-01-31');
  });

  it('give up on what Excel cannot show as a date', () => {
    expect(serialToText(-1, false)).toBeUndefined();
    expect(serialToText(2_958_466, false)).toBeUndefined();
    expect(serialToText(Number.NaN, false)).toBeUndefined();
    expect(dateToSerial(1899, 12, 31)).toBeUndefined();
    expect(dateToSerial(2023, 2, 29)).toBeUndefined();
  });

  it('round-trip every day from 1900 to 9999', () => {
    const day = fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('9999-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(day, (d) => {
        const iso = d.toISOString().slice(0, 10);
        const serial = dateToSerial(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
        expect(serial).toBeDefined();
        expect(serialToText(serial!, false)).toBe(iso);
      }),
    );
  });
});
