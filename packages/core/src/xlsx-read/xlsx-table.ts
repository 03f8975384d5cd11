import { TidyvaultError } from '../errors.js';
import { autoColumnNames, repairHeaderNames } from '../import/header-names.js';
import { listXlsxSheets, readXlsxRows } from './read-xlsx.js';
import type { SheetStats, XlsxRow } from './sheet-rows.js';
import { XlsxError } from './xlsx-error.js';

export interface XlsxTableOptions {
  sheet?: string;
  /** A row with more cells than the header: an error naming it (default), or auto-named columns. */
  ragged?: 'error' | 'extend';
}

export interface XlsxTable {
  /** The header's names, repaired (and extended, with ragged: 'extend'). */
  names: string[];
  /** The rows after the header, each at most `names.length` cells; read once. */
  rows: AsyncGenerator<(string | null)[]>;
  /** What to tell the user about the sheet, once every row has been read. */
  warnings(): string[];
}

/** An XlsxError in the import's words: the file named, a limit as IMPORT_LIMIT. */
export function xlsxImportError(e: unknown, file: string): unknown {
  if (!(e instanceof XlsxError)) return e;
  const code = e.code === 'XLSX_LIMIT' ? 'IMPORT_LIMIT' : 'IMPORT_FORMAT';
  return new TidyvaultError(code, `${file}: ${e.message}`, { file });
}

async function widestRow(blob: Blob, sheet: { sheet?: string }): Promise<number> {
  let widest = 0;
  for await (const row of readXlsxRows(blob, sheet)) widest = Math.max(widest, row.cells.length);
  return widest;
}

/**
 * A sheet as a table, the rules both engines import by: the first non-empty row is the header
 * (names repaired, case-insensitively unique as DuckDB needs), blank rows after it are rows of
 * NULLs up to the last row with a cell or a bare `<row>` (as Tidyvault writes a row of NULLs),
 * cells are text as the workbook shows them, a row with more cells than the header is an error
 * naming it (or, with ragged:
 * 'extend', the widest row's cells get auto-named columns). Errors come as TidyvaultErrors
 * naming `file`.
 */
export async function xlsxTable(blob: Blob, file: string, o: XlsxTableOptions = {}): Promise<XlsxTable> {
  const sheet = o.sheet === undefined ? {} : { sheet: o.sheet };
  const stats: SheetStats = { formulasWithoutValue: 0 };
  const reader = readXlsxRows(blob, { ...sheet, stats });
  try {
    const extendTo = o.ragged === 'extend' ? await widestRow(blob, sheet) : 0;
    let header = await reader.next();
    while (!header.done && header.value.cells.length === 0) header = await reader.next();
    if (header.done) throw await emptySheet(blob, file, o.sheet);
    let names = repairHeaderNames(header.value.cells, { caseInsensitive: true });
    if (extendTo > names.length)
      names = [
        ...names,
        ...autoColumnNames(names.length + 1, extendTo - names.length, new Set(names), {
          caseInsensitive: true,
        }),
      ];
    return {
      names,
      rows: body(reader, names.length, file, header.value.rowNumber),
      warnings: () => sheetWarnings(stats),
    };
  } catch (e) {
    await reader.return(undefined);
    throw xlsxImportError(e, file);
  }
}

async function* body(
  reader: AsyncGenerator<XlsxRow>,
  width: number,
  file: string,
  headerRow: number,
): AsyncGenerator<(string | null)[]> {
  try {
    let last = headerRow;
    for (let r = await reader.next(); !r.done; r = await reader.next()) {
      const row = r.value;
      // Blank rows between rows are rows of NULLs, as OpenRefine stores them by default.
      for (; last + 1 < row.rowNumber; last++) yield [];
      last = Math.max(last, row.rowNumber);
      if (row.cells.length > width) {
        throw new TidyvaultError(
          'IMPORT_RAGGED',
          `${file}: sheet row ${row.rowNumber}: ${row.cells.length} cells, but the header has ${width} (pass --ragged extend to add columns)`,
          { file, row: row.rowNumber },
        );
      }
      yield row.cells;
    }
  } catch (e) {
    throw xlsxImportError(e, file);
  } finally {
    // Closes the workbook when reading stopped early (an error, a refused row).
    await reader.return(undefined);
  }
}

function sheetWarnings(stats: SheetStats): string[] {
  const n = stats.formulasWithoutValue;
  if (n === 0) return [];
  return [
    `${n} formula cell${n === 1 ? ' has' : 's have'} no computed value saved in the file (the first at sheet row ${stats.firstFormulaRow}) and ${n === 1 ? 'is' : 'are'} read as empty: open and save the file in a spreadsheet program to compute ${n === 1 ? 'it' : 'them'}`,
  ];
}

/** The sheet read is empty: named, with the others to choose from (the CLI's --sheet, the API's ?sheet=). */
async function emptySheet(blob: Blob, file: string, wanted: string | undefined): Promise<TidyvaultError> {
  const sheets = await listXlsxSheets(blob);
  const sheet =
    sheets.find((s) => s === wanted) ??
    sheets.find((s) => s.toLowerCase() === wanted?.toLowerCase()) ??
    sheets[0];
  const others = sheets.filter((s) => s !== sheet);
  return new TidyvaultError(
    'IMPORT_EMPTY',
    `${file}: the sheet '${sheet}' is empty${others.length > 0 ? ` (other sheets: ${others.join(', ')}; choose one with --sheet)` : ''}`,
    { file },
  );
}
