import { openAsBlob } from 'node:fs';
import { xlsxTable, type Column } from '@tidyvault/core';
import { dropTable } from './create-table.js';
import { loadTextRows } from './rows.js';
import type { ImportContext, ImportOptions, ImportResult } from './types.js';

/** The sheet as core's xlsxTable reads it (header, text cells, ragged rows), through the appender. */
export async function importXlsx(
  file: string,
  ctx: ImportContext,
  o: ImportOptions = {},
): Promise<ImportResult> {
  try {
    const sheet = await xlsxTable(await openAsBlob(file), ctx.displayName, o);
    const rows = await loadTextRows(ctx.connection, ctx.table, sheet.names, sheet.rows);
    const columns: Column[] = sheet.names.map((n) => ({ name: n, type: 'text' }));
    return { columns, rowCount: rows, warnings: sheet.warnings() };
  } catch (e) {
    await dropTable(ctx.connection, ctx.table);
    throw e;
  }
}
