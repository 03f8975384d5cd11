import { autoColumnNames, repairHeaderNames, TidyvaultError, type Column } from '@tidyvault/core';
import { statement } from '@tidyvault/sql';
import { readXlsxRows, XlsxError } from '../xlsx/read-xlsx.js';
import { dropTable } from './create-table.js';
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
  let appender: Awaited<ReturnType<typeof ctx.connection.createAppender>> | undefined;
  try {
    const extendTo = o.ragged === 'extend' ? await widestRow(file, o.sheet) : 0;
    let names: string[] | undefined;
    let rows = 0;
    for await (const row of readXlsxRows(file, sheetOpt)) {
      if (names === undefined) {
        names = repairHeaderNames(row.cells, { caseInsensitive: true });
        if (extendTo > names.length)
          names = [
            ...names,
            ...autoColumnNames(names.length + 1, extendTo - names.length, new Set(names), {
              caseInsensitive: true,
            }),
          ];
        await ctx.connection.run(
          statement({
            kind: 'createEmptyTable',
            name: ctx.table,
            columns: names.map((n) => ({ name: n, type: 'VARCHAR' })),
          }),
        );
        appender = await ctx.connection.createAppender(ctx.table);
        continue;
      }
      const cells = row.cells;
      if (cells.length > names.length) {
        throw new TidyvaultError(
          'IMPORT_RAGGED',
          `${name}: sheet row ${row.rowNumber}: ${cells.length} cells, but the header has ${names.length} (pass --ragged extend to add columns)`,
          { file: name, row: row.rowNumber },
        );
      }
      for (let i = 0; i < names.length; i++) {
        const v = cells[i];
        if (v === null || v === undefined) appender!.appendNull();
        else appender!.appendVarchar(v);
      }
      appender!.endRow();
      rows++;
    }
    if (names === undefined)
      throw new TidyvaultError('IMPORT_EMPTY', `${name}: the sheet is empty`, { file: name });
    appender!.flushSync();
    const columns: Column[] = names.map((n) => ({ name: n, type: 'text' }));
    return { columns, rowCount: rows, warnings: [] };
  } catch (e) {
    appender?.closeSync();
    appender = undefined;
    await dropTable(ctx.connection, ctx.table);
    return failure(e, name);
  } finally {
    appender?.closeSync();
  }
}
