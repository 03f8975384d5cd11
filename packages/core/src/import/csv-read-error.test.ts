import { describe, expect, it } from 'vitest';
import { csvReadErrorText } from './csv-read-error.js';

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

  it('gives another cause as DuckDB says it, and a message without a line as it is', () => {
    expect(csvReadErrorText(duckdb('Something new.'))).toEqual({ line: 2, cause: 'Something new.' });
    expect(csvReadErrorText('Invalid Input Error: the file went away')).toEqual({
      cause: 'the file went away',
    });
  });
});
