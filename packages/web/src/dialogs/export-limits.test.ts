import { describe, expect, it } from 'vitest';
import { xlsxProblem } from './export-limits.js';

describe('what an Excel sheet cannot hold, said before the download', () => {
  it('names a column whose values are longer than a cell holds', () => {
    expect(xlsxProblem({ rows: 2, columns: 2, longest: { column: 'b', length: 40_000 } })).toBe(
      'Column "b" has values of 40,000 characters; an Excel cell holds 32,767. Export to CSV or Parquet instead.',
    );
  });

  it('counts the rows a sheet holds below its header', () => {
    expect(xlsxProblem({ rows: 1_048_575, columns: 3 })).toBeUndefined();
    expect(xlsxProblem({ rows: 1_048_576, columns: 3 })).toMatch(
      /at most 1,048,575 data rows; this output has 1,048,576/,
    );
  });

  it('has nothing to say about an output that fits', () => {
    expect(
      xlsxProblem({ rows: 10, columns: 16_384, longest: { column: 'a', length: 32_767 } }),
    ).toBeUndefined();
    expect(xlsxProblem({ rows: 10, columns: 16_385 })).toMatch(/at most 16,384 columns/);
  });
});
