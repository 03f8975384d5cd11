import { describe, expect, it } from 'vitest';
import { csvReadErrorText, tooManyFieldsText } from './csv-read-error.js';

const duckdb = (cause: string) =>
  [
    'Invalid Input Error: CSV Error on Line: 2',
    'Original Line: 001,secret value',
    cause,
    '',
    'Possible Solution: …',
    '  file = /tmp/x.csv',
  ].join('\n');

describe('csvReadErrorText', () => {
  it('words the causes DuckDB is known to give, never repeating the line', () => {
    expect(
      csvReadErrorText(
        duckdb('Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.'),
      ),
    ).toEqual({ line: 2, cause: 'bytes that are not valid UTF-8' });
    expect(
      csvReadErrorText(duckdb('Maximum line size of 16777216 bytes exceeded. Actual Size:17000004 bytes.')),
    ).toEqual({ line: 2, cause: 'a line longer than 16 MiB, the most one CSV line may hold' });
    expect(JSON.stringify(csvReadErrorText(duckdb('Something new.')))).not.toContain('secret');
  });

  it('finds the cause after an original line that spans lines, which is never repeated', () => {
    const multi = [
      'Invalid Input Error: CSV Error on Line: 2',
      'Original Line: 1,"first part',
      'second SECRET end"',
      'Expected Number of Columns: 3 Found: 2',
      '',
      'Possible Solution: …',
    ].join('\n');
    expect(csvReadErrorText(multi)).toEqual({ line: 2, cause: 'Expected Number of Columns: 3 Found: 2' });
    expect(csvReadErrorText(multi.replace('Expected Number', 'Invalid unicode'))).toEqual({
      line: 2,
      cause: 'bytes that are not valid UTF-8',
    });
    const cut = 'Invalid Input Error: CSV Error on Line: 2\nOriginal Line: a,SECRET\nmore SECRET';
    expect(csvReadErrorText(cut)).toEqual({ line: 2, cause: 'DuckDB could not read it' });
  });

  it('gives another cause as DuckDB says it, and a message without a line as it is', () => {
    expect(csvReadErrorText(duckdb('Something new.'))).toEqual({ line: 2, cause: 'Something new.' });
    expect(csvReadErrorText('Invalid Input Error: the file went away')).toEqual({
      cause: 'the file went away',
    });
  });
});

describe('tooManyFieldsText', () => {
  it('says the delimiter was a guess only when it left the header whole', () => {
    expect(tooManyFieldsText('n.csv', 2, 2, 1, '\t')).toMatch(
      /\. The tab delimiter was a guess: --delimiter names another$/,
    );
    expect(tooManyFieldsText('r.csv', 4, 4, 3, ',')).toBe(
      'r.csv: line 4: 4 fields, but the header has 3 (pass --ragged extend to add columns for the extra fields)',
    );
  });
});
