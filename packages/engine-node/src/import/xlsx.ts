import { autoColumnNames, repairHeaderNames, TidyvaultError, type Column } from '@tidyvault/core';
import { readXlsxRows, XlsxError } from '../xlsx/read-xlsx.js';
import type { XlsxRow } from '@tidyvault/core';
import { dropTable } from './create-table.js';
import { loadTextRows, type TextRow } from './rows.js';
import type { ImportContext, ImportOptions, ImportResult } from './types.js';

function failure(e: unknown, name: string): never {
  if (e instanceof XlsxError) {
    const code = e.code === 'XLSX_LIMIT' ? 'IMPORT_LIMIT' : 'IMPORT_FORMAT';
    throw new TidyvaultError(code, `${name}: ${e.message}`, { file: name });
  }
  throw e;
}

async function widestRow(file: string, sheet: string | undefined): Promise<number> {
  let widest = 0;
  for await (const row of readXlsxRows(file, sheet === undefined ? {} : { sheet }))
    widest = Math.max(widest, row.cells.length);
  return widest;
}

/** The first non-empty row is the header; cells are text as the workbook shows them (dates ISO). */
export async function importXlsx(
  file: string,
  ctx: ImportContext,
  o: ImportOptions = {},
): Promise<ImportResult> {
  const name = ctx.displayName;
  const sheetOpt = o.sheet === undefined ? {} : { sheet: o.sheet };
  let sheet: AsyncIterator<XlsxRow> | undefined;
  try {
    const extendTo = o.ragged === 'extend' ? await widestRow(file, o.sheet) : 0;
    const reader = readXlsxRows(file, sheetOpt)[Symbol.asyncIterator]();
    sheet = reader;
    const header = await reader.next();
    if (header.done) throw new TidyvaultError('IMPORT_EMPTY', `${name}: the sheet is empty`, { file: name });
    let names = repairHeaderNames(header.value.cells, { caseInsensitive: true });
    if (extendTo > names.length)
      names = [
        ...names,
        ...autoColumnNames(names.length + 1, extendTo - names.length, new Set(names), {
          caseInsensitive: true,
        }),
      ];
    const width = names.length;
    async function* body(): AsyncGenerator<TextRow> {
      for (let r = await reader.next(); !r.done; r = await reader.next()) {
        const row = r.value;
        if (row.cells.length > width) {
          throw new TidyvaultError(
            'IMPORT_RAGGED',
            `${name}: sheet row ${row.rowNumber}: ${row.cells.length} cells, but the header has ${width} (pass --ragged extend to add columns)`,
            { file: name, row: row.rowNumber },
          );
        }
        yield row.cells;
      }
    }
    const rows = await loadTextRows(ctx.connection, ctx.table, names, body());
    const columns: Column[] = names.map((n) => ({ name: n, type: 'text' }));
    return { columns, rowCount: rows, warnings: [] };
  } catch (e) {
    await dropTable(ctx.connection, ctx.table);
    return failure(e, name);
  } finally {
    // Closes the workbook when reading stopped early (an error, a refused row).
    await sheet?.return?.();
  }
}
