import { XLSX_MAX_CELL_CHARS, XLSX_MAX_COLUMNS, XLSX_MAX_ROWS } from '@tidyvault/core';

/** The recipe's output as the grid and profile know it: rows, columns, its longest text value. */
export interface ExportedShape {
  rows: number;
  columns: number;
  longest?: { column: string; length: number };
}

/** What an Excel sheet cannot hold of this output, in words (the engine refuses it too). */
export function xlsxProblem(o: ExportedShape): string | undefined {
  if (o.rows > XLSX_MAX_ROWS - 1)
    return `An Excel sheet holds at most ${(XLSX_MAX_ROWS - 1).toLocaleString('en')} data rows; this output has ${o.rows.toLocaleString('en')}. Export to CSV or Parquet instead.`;
  if (o.columns > XLSX_MAX_COLUMNS)
    return `An Excel sheet holds at most ${XLSX_MAX_COLUMNS.toLocaleString('en')} columns; this output has ${o.columns.toLocaleString('en')}. Export to CSV or Parquet instead.`;
  if (o.longest && o.longest.length > XLSX_MAX_CELL_CHARS)
    return `Column "${o.longest.column}" has values of ${o.longest.length.toLocaleString('en')} characters; an Excel cell holds ${XLSX_MAX_CELL_CHARS.toLocaleString('en')}. Export to CSV or Parquet instead.`;
  return undefined;
}
