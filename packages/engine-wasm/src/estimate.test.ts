import { describe, expect, it } from 'vitest';
import {
  estimateFootprint,
  formatSize,
  TABLE_BYTES_PER_FILE_BYTE,
  USABLE_HEAP_BYTES,
  WORKING_FACTOR,
} from './estimate.js';

const MB = 2 ** 20;
const GB = 2 ** 30;

describe('estimateFootprint (will the file fit in the wasm heap?)', () => {
  it('lets W1-sized and 500 MB CSV files in, and refuses 1 GB and more', () => {
    expect(estimateFootprint('w1.csv', 780_865, 'csv')).toEqual({ bytes: 780_865 * 4, fits: true });
    expect(estimateFootprint('half.csv', 500 * MB, 'csv').fits).toBe(true);
    const big = estimateFootprint('big.csv', GB, 'csv');
    expect(big.fits).toBe(false);
    expect(big.bytes).toBe(4 * GB);
    expect(big.message).toBe(
      'big.csv (1 GB) will not fit in the browser: cleaning it needs about 4 GB of memory, and a browser tab can give at most about 3 GB. Use the CLI (tidyvault clean) or a Tidyvault server for a file this large.',
    );
  });

  it("counts a CSV's cells from its first bytes: short fields take more than twice their size", () => {
    const rows = (line: string) => new TextEncoder().encode(line.repeat(Math.ceil(65_536 / line.length)));
    // 20 one-character fields a row: 16 bytes of string header per 2 bytes of file.
    const narrow = rows('a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t\n');
    const tooNarrow = estimateFootprint('narrow.csv', 600 * MB, 'csv', USABLE_HEAP_BYTES, narrow);
    expect(tooNarrow.fits).toBe(false);
    expect(tooNarrow.bytes).toBeGreaterThan(8 * GB);
    expect(estimateFootprint('narrow.csv', 600 * MB, 'csv').fits).toBe(true);
    // W1-like rows (12 fields in about 130 bytes): the size decides, as without a sample.
    const w1 = rows(
      '123,John Smith,john.smith@example.com,555-123-4567,Springfield,IL,62704,"$1,234.50",2024-01-31,electronics,active,notes on the customer and the order\n',
    );
    expect(estimateFootprint('w1.csv', 158 * MB, 'csv', USABLE_HEAP_BYTES, w1)).toEqual(
      estimateFootprint('w1.csv', 158 * MB, 'csv'),
    );
    // Tabs count as delimiters too; other formats ignore the sample.
    expect(estimateFootprint('t.tsv', 600 * MB, 'tsv', USABLE_HEAP_BYTES, rows('a\tb\tc\td\n')).fits).toBe(
      false,
    );
    expect(estimateFootprint('a.json', 100 * MB, 'json', USABLE_HEAP_BYTES, narrow)).toEqual(
      estimateFootprint('a.json', 100 * MB, 'json'),
    );
  });

  it('takes the densest of several slices: long first rows do not hide short ones after', () => {
    const rows = (line: string, n: number) => new TextEncoder().encode(line.repeat(n));
    const head = rows(`1,${'x'.repeat(8000)}\n`, 32); // 256 KB of 8 KB rows
    const tail = rows('1,2\n', 16_384); // 64 KB of 4-byte rows
    expect(estimateFootprint('mixed.csv', 360 * MB, 'csv', USABLE_HEAP_BYTES, [head]).fits).toBe(true);
    const both = estimateFootprint('mixed.csv', 360 * MB, 'csv', USABLE_HEAP_BYTES, [head, tail, tail]);
    expect(both.fits).toBe(false);
    expect(both.bytes).toBeGreaterThan(3 * GB);
    // …nor one short stretch at the end for a whole file of them.
    const w1 = rows(
      '123,John Smith,john.smith@example.com,555-123-4567,Springfield,IL,62704,"$1,234.50",2024-01-31,electronics,active,notes\n',
      500,
    );
    expect(estimateFootprint('w1.csv', 400 * MB, 'csv', USABLE_HEAP_BYTES, [w1, w1, w1, w1, tail]).fits).toBe(
      true,
    );
  });

  it('decides at the limit exactly: the largest file that fits, and one byte more', () => {
    for (const format of ['csv', 'json', 'parquet', 'xlsx'] as const) {
      const perByte = TABLE_BYTES_PER_FILE_BYTE[format] * WORKING_FACTOR;
      const largest = Math.floor(USABLE_HEAP_BYTES / perByte);
      expect(estimateFootprint('f', largest, format).fits, format).toBe(true);
      expect(estimateFootprint('f', largest + 1, format).fits, format).toBe(false);
    }
  });

  it('counts compressed formats as larger than their bytes', () => {
    const csv = estimateFootprint('a.csv', 100 * MB, 'csv').bytes;
    expect(estimateFootprint('a.parquet', 100 * MB, 'parquet').bytes).toBeGreaterThan(csv);
    expect(estimateFootprint('a.json', 100 * MB, 'json').bytes).toBeLessThan(csv);
    expect(estimateFootprint('a.parquet', 250 * MB, 'parquet').fits).toBe(false);
  });

  it('takes a smaller heap when the page knows the device has less', () => {
    expect(estimateFootprint('a.csv', 200 * MB, 'csv').fits).toBe(true);
    const small = estimateFootprint('a.csv', 200 * MB, 'csv', 512 * MB);
    expect(small.fits).toBe(false);
    expect(small.message).toMatch(/at most about 512 MB/);
  });

  it('says sizes in words', () => {
    expect(formatSize(12)).toBe('12 bytes');
    expect(formatSize(3 * 1024)).toBe('3 KB');
    expect(formatSize(1.5 * GB)).toBe('1.5 GB');
    expect(formatSize(812 * MB)).toBe('812 MB');
  });
});
